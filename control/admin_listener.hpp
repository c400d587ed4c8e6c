// Everything `--admin-port` adds to a running proxy, wired once: the controller over the
// proxy's runtime, the event hub fed by the log and by every change, the API with its access
// rules, and the listener. `mratls serve` and `mratls lab --keep-running` both open one.
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "control/admin_api.hpp"
#include "control/admin_server.hpp"
#include "control/controller.hpp"
#include "control/event_hub.hpp"
#include "proxy/server.hpp"

namespace mratls::control {

class AdminListener {
 public:
  // admin.port must be set (>= 0). A token file is read here: errors name it. `before_start`
  // adds to the API (the lab's login) before any request can be served.
  static std::expected<std::unique_ptr<AdminListener>, std::string> open(
      proxy::Server& server, const config::Admin& admin, const std::function<void(AdminListener&)>& before_start = {});
  ~AdminListener();

  std::uint16_t port() const { return server_.port(); }
  int open_connections() const { return server_.open_connections(); }
  std::string url() const;
  AdminApi& api() { return api_; }
  EventHub& hub() { return hub_; }
  Controller& controller() { return controller_; }

  // Use open().
  AdminListener(proxy::Server& server, std::string address);

 private:
  // The live view follows the log in force (a reload may open another).
  void follow(std::shared_ptr<logs::Log> log);

  proxy::Server& proxy_;
  EventHub hub_;
  Controller controller_;
  AdminApi api_;
  AdminServer server_;
  std::string address_;
  std::shared_ptr<logs::Log> followed_;
};

}  // namespace mratls::control
