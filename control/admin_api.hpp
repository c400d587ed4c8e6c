// The admin API (DESIGN §11) as a function from a request to a response: the access rules
// first (Host, token, method, content type, Origin), then the routes. No sockets here; the
// listener (admin_server.hpp) reads requests and writes what this returns.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/controller.hpp"

namespace mratls::control {

struct AdminRequest {
  std::string method;
  std::string target;  // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  const std::string* header(std::string_view name) const;
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Allow, WWW-Authenticate
  bool event_stream = false;  // GET /api/events: the listener keeps the response open
};

struct AdminAccess {
  std::string token;  // empty: no token asked for (loopback only)
  // Host header values accepted without a token: a page served from elsewhere (DNS
  // rebinding) is refused. Empty: any (a token protects the listener).
  std::vector<std::string> hosts;
};

// The Host values a loopback listener answers to: 127.0.0.1, localhost, [::1] and its own address.
std::vector<std::string> loopback_hosts(const std::string& address, std::uint16_t port);

// Why the request is refused before any route, or nothing.
std::optional<AdminResponse> refuse(const AdminRequest& request, const AdminAccess& access);

AdminResponse json_response(int status, const nlohmann::json& body);
AdminResponse error_response(int status, const std::string& message);

class AdminApi {
 public:
  AdminApi(Controller& controller, AdminAccess access) : controller_(controller), access_(std::move(access)) {}

  AdminResponse handle(const AdminRequest& request);
  // Before the listener starts: the Host rule needs the port it bound.
  void set_access(AdminAccess access) { access_ = std::move(access); }

  // What others add to GET /api/state (the origins), and the lab's POST /api/login.
  std::function<void(nlohmann::json& state)> add_to_state;
  std::function<AdminResponse(const nlohmann::json& body)> login;
  // GET / and GET /metrics, when someone provides them.
  std::function<AdminResponse()> page;
  std::function<AdminResponse()> metrics;
  // GET /api/transactions/<TrackingID>: the lines the proxy wrote for that request.
  std::function<AdminResponse(const std::string& tracking_id)> transaction;

 private:
  AdminResponse route(const AdminRequest& request, std::string_view path);

  Controller& controller_;
  AdminAccess access_;
};

}  // namespace mratls::control
