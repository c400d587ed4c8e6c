#include "proxy/signal_loop.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include <csignal>
#include <thread>

namespace mratls::proxy {

void run_until_stopped(Server& server, const SignalHandlers& handlers) {
  asio::io_context io;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  if (handlers.on_reload) signals.add(SIGHUP);
  std::function<void(std::error_code, int)> on_signal = [&](std::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      handlers.on_reload();
      signals.async_wait(on_signal);
      return;
    }
    if (handlers.on_stop) handlers.on_stop();
    server.stop();
  };
  signals.async_wait(on_signal);
  // Signals are handled on a thread of their own: the server's threads only serve.
  std::thread waiter([&io] { io.run(); });
  server.wait();
  io.stop();
  waiter.join();
}

}  // namespace mratls::proxy
