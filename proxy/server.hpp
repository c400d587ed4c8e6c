// The traffic server: an acceptor, N event threads, and the one owner of the runtime in force.
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "proxy/accept_pause.hpp"
#include "proxy/event_thread.hpp"
#include "proxy/runtime.hpp"
#include "proxy/runtime_manager.hpp"

namespace mratls::proxy {

class Server {
 public:
  explicit Server(std::shared_ptr<const Runtime> runtime);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listen address of the configuration (port 0: an ephemeral port).
  std::expected<void, std::string> listen();
  std::uint16_t port() const { return port_; }
  // Starts the event threads (threads: 0 = one per core).
  void start();
  // Stops accepting, lets requests in progress finish, then stops the threads.
  void stop();
  // Blocks until the threads have stopped.
  void wait();

  // Every change of the runtime goes through here (SIGHUP, the admin API); established
  // connections keep going, each request under the runtime in force when it started.
  RuntimeManager& runtimes() { return *shared_.runtimes; }
  std::shared_ptr<const Runtime> runtime() const { return shared_.runtimes->current(); }
  int thread_count() const { return static_cast<int>(threads_.size()); }

  // The counters summed over the event threads, for GET /metrics.
  MetricsSnapshot metrics() const;
  OriginBoard& board() { return shared_.board; }

 private:
  void accept_next();
  // After a failed accept: the line, the count and the pause that descriptors running out call for.
  void accept_failed(const std::error_code& ec);
  void run_thread(EventThread& t);

  SharedState shared_;
  std::vector<std::unique_ptr<EventThread>> threads_;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::unique_ptr<asio::steady_timer> accept_pause_;  // on the acceptor's thread
  RateLimitedLine accept_line_;                        // touched on the acceptor's thread only
  std::uint16_t port_ = 0;
  std::size_t next_thread_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace mratls::proxy
