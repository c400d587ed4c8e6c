// The HTTPMSG block of a DEBUG entry: the message the traffic server sent or received, as
// Expressway writes it ("HTTPMSG:", then "|GET /x HTTP/1.1", each header line indented by one
// space, and " |" at the end), or flattened onto one line as a note may print it, or wrapped.
// Pure: the text after "HTTPMSG:" in, the start line and the headers that matter out.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scan/wrapped_text.hpp"

namespace mratls::scan {

struct HttpBlock {
  std::string start_line;  // "GET /CSFemusk.cnf.xml HTTP/1.1" or "HTTP/1.1 403 Forbidden", one line
  std::optional<wrapped::RequestLine> request;
  int status = 0;
  std::string host;    // the Host header ("expc.cisco.com:6972"), as written (masked or not); empty when absent
  std::string server;  // the Server header ("CE_E" on Expressway-E's answers)
};

HttpBlock parse_http_block(std::string_view block);

}  // namespace mratls::scan
