// A foreground server's life: it runs until SIGINT or SIGTERM, which drain and stop it; SIGHUP
// reloads when the caller knows how. `mratls serve` and `mratls lab --keep-running` share it.
#pragma once

#include <functional>

#include "proxy/server.hpp"

namespace mratls::proxy {

struct SignalHandlers {
  std::function<void()> on_stop;    // before the server stops (say so)
  std::function<void()> on_reload;  // SIGHUP; without it SIGHUP is left to its default
};

// Blocks until the server has stopped.
void run_until_stopped(Server& server, const SignalHandlers& handlers = {});

}  // namespace mratls::proxy
