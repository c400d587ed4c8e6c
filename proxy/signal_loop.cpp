#include "proxy/signal_loop.hpp"

#include <csignal>
#include <thread>

namespace mratls::proxy {

SignalLoop::SignalLoop(SignalHandlers handlers) : handlers_(std::move(handlers)), signals_(io_, SIGINT, SIGTERM) {
  if (handlers_.on_reload) signals_.add(SIGHUP);
}

void SignalLoop::run(Server& server) {
  std::function<void(std::error_code, int)> on_signal = [&](std::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      handlers_.on_reload();
      signals_.async_wait(on_signal);
      return;
    }
    if (handlers_.on_stop) handlers_.on_stop();
    server.stop();
  };
  signals_.async_wait(on_signal);
  // Signals are handled on a thread of their own: the server's threads only serve.
  std::thread waiter([this] { io_.run(); });
  server.wait();
  io_.stop();
  waiter.join();
}

}  // namespace mratls::proxy
