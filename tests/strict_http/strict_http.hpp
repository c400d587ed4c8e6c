// The far side's own reading of HTTP/1.1, for the tests and fuzz targets that check what the
// proxy sends: llhttp used directly, with no lenient flag set, sharing nothing with the proxy's
// HttpParser. What it reads is what a strict origin or client would read.
#pragma once

#include <llhttp.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mratls::test {

struct StrictMessage {
  std::string method;  // request
  std::string target;  // request
  int status = 0;      // response
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // payload: chunked framing removed
};

class StrictReader {
 public:
  enum class Kind { Request, Response };
  explicit StrictReader(Kind kind);
  StrictReader(const StrictReader&) = delete;
  StrictReader& operator=(const StrictReader&) = delete;

  // Messages completed by these bytes. After an error nothing more is read; `error()` says why.
  std::vector<StrictMessage> feed(std::string_view bytes);
  // The peer closed: completes a message delimited by the end of the connection.
  std::vector<StrictMessage> finish();
  // Responses only: the next response answers a HEAD request (no body, whatever its length says).
  void answering_head(bool value) { answering_head_ = value; }

  const std::string& error() const { return error_; }
  bool mid_message() const { return started_; }

 private:
  static StrictReader& self(llhttp_t* p) { return *static_cast<StrictReader*>(p->data); }
  void take(llhttp_errno_t err);

  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  StrictMessage current_;
  std::vector<StrictMessage> complete_;
  std::string error_;
  bool in_value_ = false;
  bool started_ = false;
  bool answering_head_ = false;
};

}  // namespace mratls::test
