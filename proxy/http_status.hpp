// Status codes as the proxy and the admin listener answer them: one reason phrase per code, in
// Traffic Server's words, and one status for each way a request head can fail to parse.
#pragma once

#include <string_view>

#include "proxy/http_parser.hpp"

namespace mratls::proxy {

// "Bad Request", "Request-URI Too Long", …; "Unknown" for a code neither side sends.
std::string_view reason_phrase(int status);

// 414 for a target too long, 431 for a head too large, 501 for a transfer coding other than
// chunked, 400 for everything else that cannot be read one way only.
int status_for(ParseFailure failure);

}  // namespace mratls::proxy
