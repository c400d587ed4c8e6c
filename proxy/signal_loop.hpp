// A foreground server's life: it runs until SIGINT or SIGTERM, which drain and stop it; SIGHUP
// reloads when the caller knows how. `mratls serve` and `mratls lab --keep-running` share it.
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include <functional>

#include "proxy/server.hpp"

namespace mratls::proxy {

struct SignalHandlers {
  std::function<void()> on_stop;    // before the server stops (say so)
  std::function<void()> on_reload;  // SIGHUP; without it SIGHUP is left to its default
};

// Signals are caught from construction on, and queued until run(): build one before telling
// anyone the server is ready, or a SIGHUP sent on that word meets the default action and kills
// the process.
class SignalLoop {
 public:
  explicit SignalLoop(SignalHandlers handlers);
  SignalLoop(const SignalLoop&) = delete;
  SignalLoop& operator=(const SignalLoop&) = delete;

  // Blocks until the server has stopped.
  void run(Server& server);

 private:
  SignalHandlers handlers_;
  asio::io_context io_;
  asio::signal_set signals_;
};

}  // namespace mratls::proxy
