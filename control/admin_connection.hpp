// One connection to the admin listener: it reads HTTP/1.1 requests with the proxy's parser,
// hands each to the API and writes the answer; GET /api/events turns it into an event stream
// until the client goes. It owns its socket, buffer and parser, and lives as long as its
// coroutine.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <atomic>
#include <memory>
#include <string>

#include "control/admin_api.hpp"
#include "control/event_hub.hpp"
#include "proxy/deadline.hpp"
#include "proxy/http_parser.hpp"

namespace mratls::control {

class AdminConnection : public std::enable_shared_from_this<AdminConnection> {
 public:
  static constexpr std::size_t kMaxBody = 1 << 20;  // a PEM bundle fits many times over
  static constexpr std::chrono::seconds kReadTimeout{10};
  static constexpr std::chrono::seconds kIdleTimeout{60};
  static constexpr std::chrono::seconds kHeartbeat{15};

  // `open` counts the listener's connections while this one lives.
  AdminConnection(asio::ip::tcp::socket socket, AdminApi& api, EventHub& hub, std::atomic<int>& open);
  ~AdminConnection() { --open_; }
  AdminConnection(const AdminConnection&) = delete;
  AdminConnection& operator=(const AdminConnection&) = delete;
  void start();

 private:
  asio::awaitable<void> run();
  enum class Read { Request, Closed, Refused };
  // Reads until the parser has a whole request, head and body. Refused: refusal_ says why
  // (a malformed or oversized request, or chunked framing), and the connection ends after it.
  asio::awaitable<Read> read_request(bool first);
  // Answers one request, and false when the connection ends with it.
  // head_only: the answer to a HEAD, its Content-Length that of the body left out.
  asio::awaitable<bool> answer(const AdminResponse& response, bool keep_alive, bool head_only = false);
  asio::awaitable<bool> write(std::string_view bytes);
  asio::awaitable<void> stream_events(const AdminResponse& head);

  asio::ip::tcp::socket socket_;
  AdminApi& api_;
  EventHub& hub_;
  std::atomic<int>& open_;
  proxy::Deadline deadline_;
  proxy::HttpParser parser_;
  std::string buffer_;  // bytes read and not yet parsed
  std::string body_;    // the request body (Content-Length framing only)
  AdminResponse refusal_;
};

// "HTTP/1.1 200 OK" with the headers every admin answer carries.
std::string response_head(const AdminResponse& r, std::size_t content_length, bool keep_alive);

}  // namespace mratls::control
