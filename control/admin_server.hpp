// The admin listener (DESIGN §11): a second listener beside the proxy's, on a thread of its own,
// serving the admin API, the event stream, the metrics and the page. The proxy's listener never
// answers these paths.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <expected>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "control/admin_api.hpp"
#include "control/event_hub.hpp"
#include "proxy/accept_pause.hpp"

namespace mratls::control {

class AdminServer {
 public:
  AdminServer(AdminApi& api, EventHub& hub) : api_(api), hub_(hub) {}
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  std::expected<void, std::string> listen(const std::string& address, std::uint16_t port);
  std::uint16_t port() const { return port_; }
  void start();
  // Closes the listener and every connection, event streams included.
  void stop();

  // A presenter's page or two and a few scripts: beyond this, new connections are closed.
  static constexpr int kMaxConnections = 64;
  int open_connections() const { return open_.load(); }

 private:
  void accept_next();

  AdminApi& api_;
  EventHub& hub_;
  std::atomic<int> open_{0};  // before io_: the connections it destroys count themselves out
  // A few threads, each connection on a strand of its own: a request that takes a while (the
  // lab's login) holds one thread while the others keep the event streams flowing.
  static constexpr int kThreads = 3;
  asio::io_context io_{kThreads};
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::unique_ptr<asio::steady_timer> pause_;  // after an accept that ran out of descriptors
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace mratls::control
