// One HTTP response gathered from bytes as they arrive, interim (1xx) responses skipped (or, when
// asked, the first one returned): the blocking client and check's discovery read origins and
// proxies with it, each with its own I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/http_parser.hpp"

namespace mratls::proxy {

class ResponseCollector {
 public:
  explicit ResponseCollector(bool head_request = false, bool stop_at_interim = false);

  // Consumes what belongs to the response from `bytes`; returns how much. What is left over
  // belongs to the next response on the connection.
  std::size_t feed(std::string_view bytes);
  // The peer closed: a body delimited by the close ends here.
  void finish();

  bool done() const { return parser_.message_complete() || parser_.failed(); }
  bool complete() const { return parser_.message_complete() && status_ >= 200; }
  int status() const { return status_; }  // 0 until a final head arrived
  const std::string& reason() const { return reason_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  const HttpHead& head() const { return parser_.head(); }
  std::string body() const;  // the payload, without chunk framing
  const std::vector<int>& interim() const { return interim_; }  // the 1xx statuses, in order

 private:
  HttpParser parser_;
  int status_ = 0;
  std::string reason_;
  std::vector<std::pair<std::string, std::string>> headers_;
  bool in_body_ = false;
  bool stop_at_interim_ = false;
  std::vector<int> interim_;
};

}  // namespace mratls::proxy
