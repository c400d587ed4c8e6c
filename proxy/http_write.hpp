// Serialising heads for the two sides, and the responses the proxy answers itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "logs/line_format.hpp"
#include "proxy/http_parser.hpp"

namespace mratls::proxy {

// Content-Length and Transfer-Encoding: the framing the parser decided, forwarded as received.
bool is_framing_header(std::string_view name);

// Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade and every header that
// Connection names, except the framing headers: those are never dropped, even when Connection
// names them, because the body is forwarded exactly as it was framed.
// `connection` is the head's Connection value, looked up once per head (null when it has none).
bool is_hop_by_hop(std::string_view name, const std::string* connection);

// The request as sent to the origin, in origin-form, with Host: host:port. `out` is
// overwritten, its storage kept: a connection's scratch head serves request after request.
void origin_request_head(const HttpHead& client, std::string_view origin_path, std::string_view host_port, bool keep_alive,
                         logs::HttpMessage& logged, std::string& out);

// The origin's response as sent to the client, into `out` as above.
void client_response_head(const HttpHead& origin, bool keep_alive, logs::HttpMessage& logged, std::string& out);

struct LocalResponse {
  int status = 502;
  std::string reason = "connect failed";
  std::string title = "Could Not Connect";
  std::string description = "Could not connect to the requested server host.";
};

// A complete response of the proxy's own, with a small HTML body.
std::string local_response(const LocalResponse& r, bool keep_alive, logs::HttpMessage& logged);

LocalResponse connect_failed();
LocalResponse bad_request(std::string description);
LocalResponse forbidden();
LocalResponse not_found(std::string description);
LocalResponse not_implemented(std::string description);
// The answer to a request head that cannot be read one way only (status_for's status).
LocalResponse unreadable_request(ParseFailure failure, const std::string& why);
LocalResponse gateway_timeout();
LocalResponse request_timeout();
LocalResponse request_body_timeout();

}  // namespace mratls::proxy
