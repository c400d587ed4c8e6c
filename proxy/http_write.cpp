#include "proxy/http_write.hpp"
#include "config/ascii.hpp"
#include "proxy/http_status.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mratls::proxy {
namespace {

bool named_by_connection(std::string_view name, const std::string* connection) {
  if (!connection) return false;
  std::string_view list(*connection);
  while (!list.empty()) {
    auto comma = list.find(',');
    auto token = list.substr(0, comma);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (ascii::iequals(token, name)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

void add(std::string& out, logs::HttpMessage& logged, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
  if (logged.record_headers) logged.headers.emplace_back(std::string(name), std::string(value));
}

void restart(logs::HttpMessage& logged) {
  logged.first_line.clear();
  logged.headers.clear();
}

// Room for a head with these headers, so that it is built without growing.
std::size_t head_size(const HttpHead& head) {
  std::size_t n = 128 + head.target.size() + head.reason.size();
  for (const auto& [name, value] : head.headers) n += name.size() + value.size() + 4;
  return n;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

}  // namespace

bool is_framing_header(std::string_view name) {
  return ascii::iequals(name, "Content-Length") || ascii::iequals(name, "Transfer-Encoding");
}

bool is_hop_by_hop(std::string_view name, const std::string* connection) {
  // The parser framed the message by these two; dropping them because Connection names them
  // would forward a body the next hop cannot delimit (request smuggling, response mix-ups).
  if (is_framing_header(name)) return false;
  for (auto h : {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "Proxy-Authorization",
                 "Expect"})
    if (ascii::iequals(name, h)) return true;
  return named_by_connection(name, connection);
}

void origin_request_head(const HttpHead& client, std::string_view origin_path, std::string_view host_port, bool keep_alive,
                         logs::HttpMessage& logged, std::string& out) {
  restart(logged);
  logged.first_line.append(client.method).append(" ").append(origin_path).append(" HTTP/1.1");
  out.clear();
  out.reserve(head_size(client) + origin_path.size() + host_port.size());
  const std::string* connection = client.find("Connection");  // once, not once per header
  out.append(logged.first_line).append("\r\n");
  add(out, logged, "Host", host_port);
  for (const auto& [name, value] : client.headers) {
    if (ascii::iequals(name, "Host") || is_hop_by_hop(name, connection)) continue;
    add(out, logged, name, value);
  }
  add(out, logged, "Connection", keep_alive ? "keep-alive" : "close");
  out += "\r\n";
}

void client_response_head(const HttpHead& origin, bool keep_alive, logs::HttpMessage& logged, std::string& out) {
  restart(logged);
  char status[8];
  const auto digits = std::to_chars(status, status + sizeof status, origin.status).ptr;
  logged.first_line.append("HTTP/1.1 ").append(status, digits).append(" ").append(origin.reason);
  out.clear();
  out.reserve(head_size(origin));
  const std::string* connection = origin.find("Connection");  // once, not once per header
  out.append(logged.first_line).append("\r\n");
  for (const auto& [name, value] : origin.headers) {
    if (is_hop_by_hop(name, connection)) continue;
    add(out, logged, name, value);
  }
  if (origin.status >= 200) add(out, logged, "Connection", keep_alive ? "keep-alive" : "close");
  out += "\r\n";
}

std::string local_response(const LocalResponse& r, bool keep_alive, logs::HttpMessage& logged) {
  std::string body = "<HTML>\n<HEAD><TITLE>" + r.title + "</TITLE></HEAD>\n<BODY>\n<H1>" + r.title + "</H1>\n<HR>\n" +
                     "Description: " + html_escape(r.description) + "\n<HR>\n</BODY>\n</HTML>\n";
  restart(logged);
  logged.first_line = "HTTP/1.1 " + std::to_string(r.status) + " " + r.reason;
  std::string out = logged.first_line + "\r\n";
  add(out, logged, "Connection", keep_alive ? "keep-alive" : "close");
  add(out, logged, "Cache-Control", "no-store");
  add(out, logged, "Content-Type", "text/html");
  add(out, logged, "Content-Language", "en");
  add(out, logged, "Content-Length", std::to_string(body.size()));
  return out + "\r\n" + body;
}

namespace {
// An answer of the proxy's own with the reason phrase of its status.
LocalResponse proxy_answer(int status, std::string title, std::string description) {
  return {status, std::string(reason_phrase(status)), std::move(title), std::move(description)};
}
}  // namespace

LocalResponse connect_failed() { return {}; }
LocalResponse bad_request(std::string d) { return proxy_answer(400, "Bad Request", std::move(d)); }
LocalResponse forbidden() {
  return proxy_answer(403, "Access Denied", "The requested URL is not in the allow list of this Expressway.");
}
LocalResponse not_found(std::string d) { return proxy_answer(404, "Not Found", std::move(d)); }
LocalResponse not_implemented(std::string d) { return proxy_answer(501, "Not Implemented", std::move(d)); }
LocalResponse unreadable_request(ParseFailure failure, const std::string& why) {
  const int status = status_for(failure);
  switch (status) {
    case 414: return proxy_answer(414, "URI Too Long", "The request target is too long.");
    case 431: return proxy_answer(431, "Header Too Large", "The request header fields are too large.");
    case 501: return not_implemented("Unsupported transfer coding: " + why + ".");
    default: return bad_request("Malformed request: " + why + ".");
  }
}
LocalResponse gateway_timeout() {
  return proxy_answer(504, "Connection Timed Out", "The origin server did not answer in time.");
}
LocalResponse request_timeout() {
  return proxy_answer(408, "Request Timeout", "The request head did not arrive in time.");
}
LocalResponse request_body_timeout() {
  return proxy_answer(408, "Request Timeout", "The request body did not arrive in time.");
}

}  // namespace mratls::proxy
