#include "control/admin_api.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "config/ascii.hpp"
#include "control/trust_list.hpp"
#include "mra/mra_path.hpp"

namespace mratls::control {
namespace {


std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

std::string query_token(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    if (pair.starts_with("access_token=")) return std::string(pair.substr(13));
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return {};
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_json(const std::string* content_type) {
  if (!content_type) return false;
  std::string_view media = *content_type;
  media = media.substr(0, media.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return ascii::iequals(media, "application/json");
}

nlohmann::json changes_json(const std::vector<Change>& changes) {
  auto out = nlohmann::json::array();
  for (const auto& c : changes) out.push_back({{"setting", c.setting}, {"before", c.before}, {"after", c.after}});
  return out;
}

int status_of(const Refusal& r) {
  switch (r.kind) {
    case Refusal::Kind::BadRequest: return 400;
    case Refusal::Kind::Conflict: return 409;
    case Refusal::Kind::NotFound: return 404;
  }
  return 400;
}

// What a resource that answers GET allows: HEAD comes with it.
constexpr const char* kGet = "GET, HEAD";

AdminResponse method_not_allowed(const char* allow) {
  auto r = error_response(405, std::string("method not allowed: use ") + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace

const std::string* AdminRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (ascii::iequals(k, name)) return &v;
  return nullptr;
}

std::vector<std::string> loopback_hosts(const std::string& address, std::uint16_t port) {
  const auto p = ":" + std::to_string(port);
  std::vector<std::string> hosts{"127.0.0.1" + p, "localhost" + p, "[::1]" + p};
  const auto own = mra::host_port(address, port);
  if (std::find(hosts.begin(), hosts.end(), own) == hosts.end()) hosts.push_back(own);
  return hosts;
}

AdminResponse json_response(int status, const nlohmann::json& body) {
  // What the body carries came from requests and origins: bytes that are not UTF-8 are replaced,
  // never thrown over.
  return AdminResponse{status, "application/json", body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", {},
                       false};
}

AdminResponse error_response(int status, const std::string& message) { return json_response(status, {{"error", message}}); }

std::optional<AdminResponse> refuse(const AdminRequest& request, const AdminAccess& access) {
  const auto* host = request.header("Host");
  if (!access.hosts.empty()) {
    bool known = false;
    for (const auto& h : access.hosts) known = known || (host && ascii::iequals(*host, h));
    if (!known) return error_response(421, "Host \"" + (host ? *host : std::string()) + "\" is not this admin listener");
  }
  // A page from another site may send requests here, but never with our Origin.
  if (const auto* origin = request.header("Origin"); origin && (!host || !ascii::iequals(*origin, "http://" + *host)))
    return error_response(403, "cross-origin request refused (Origin " + *origin + ")");
  const auto path = path_of(request.target);
  const bool reads = request.method == "GET" || request.method == "HEAD";
  if (!access.token.empty() && !(reads && path == "/")) {
    const auto* auth = request.header("Authorization");
    std::string given = auth && ascii::istarts_with(*auth, "Bearer ") ? auth->substr(7) : query_token(request.target);
    if (!same_secret(given, access.token)) {
      auto r = error_response(401, given.empty() ? "a token is required (Authorization: Bearer <token>)" : "wrong token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
  }
  // A form on another site can POST text/plain or form data, never application/json.
  if (request.method == "POST" && !is_json(request.header("Content-Type")))
    return error_response(415, "state changes take Content-Type: application/json");
  return std::nullopt;
}

AdminResponse AdminApi::handle(const AdminRequest& request) {
  if (auto refused = refuse(request, access_)) return *refused;
  // HEAD answers as GET does (RFC 9110 9.3.2); the connection then leaves the body out.
  if (request.method == "HEAD") {
    AdminRequest get = request;
    get.method = "GET";
    return route(get, path_of(request.target));
  }
  return route(request, path_of(request.target));
}

AdminResponse AdminApi::route(const AdminRequest& request, std::string_view path) {
  const auto& method = request.method;
  nlohmann::json body;
  if (method == "POST") {
    body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return error_response(400, "the body is not valid JSON");
  }
  if (path == "/") {
    if (method != "GET" || !page) return page ? method_not_allowed(kGet) : error_response(404, "no page here");
    return page();
  }
  if (path == "/metrics") {
    if (method != "GET" || !metrics) return metrics ? method_not_allowed(kGet) : error_response(404, "no metrics here");
    return metrics();
  }
  if (path == "/api/events") {
    if (method != "GET") return method_not_allowed(kGet);
    AdminResponse stream;
    stream.content_type = "text/event-stream";
    stream.event_stream = true;
    return stream;
  }
  if (path == "/api/state") {
    if (method != "GET") return method_not_allowed(kGet);
    auto state = controller_.state();
    if (add_to_state) add_to_state(state);
    return json_response(200, state);
  }
  if (path == "/api/config") {
    if (method != "GET") return method_not_allowed(kGet);
    return AdminResponse{200, "application/yaml", controller_.config_yaml(), {}, false};
  }
  if (path == "/api/xconfiguration") {
    if (method != "POST") return method_not_allowed("POST");
    if (!body.is_object() || !body.contains("command") || !body["command"].is_string())
      return error_response(400, "expected {\"command\": \"xConfiguration EdgeConfigServer VerifyOriginServer: On|Off\"}");
    auto out = controller_.xconfiguration(body["command"].get<std::string>());
    if (!out) return error_response(status_of(out.error()), out.error().message);
    return json_response(200, {{"output", *out}});
  }
  if (path == "/api/settings") {
    if (method != "POST") return method_not_allowed("POST");
    auto changes = controller_.settings(body);
    if (!changes) return error_response(status_of(changes.error()), changes.error().message);
    return json_response(200, {{"changes", changes_json(*changes)}, {"state", controller_.state()}});
  }
  if (path == "/api/trust") {
    if (method != "POST") return method_not_allowed("POST");
    if (!body.is_object() || !body.contains("pem") || !body["pem"].is_string())
      return error_response(400, "expected {\"pem\": \"-----BEGIN CERTIFICATE-----...\"}");
    auto added = controller_.trust_add(body["pem"].get<std::string>());
    if (!added) return error_response(status_of(added.error()), added.error().message);
    auto list = nlohmann::json::array();
    for (const auto& s : *added) list.push_back(trusted_json(s));
    return json_response(200, {{"added", list}});
  }
  if (path.starts_with("/api/trust/")) {
    if (method != "DELETE") return method_not_allowed("DELETE");
    auto removed = controller_.trust_remove(path.substr(11));
    if (!removed) return error_response(status_of(removed.error()), removed.error().message);
    return json_response(200, {{"removed", trusted_json(*removed)}});
  }
  if (path.starts_with("/api/transactions/")) {
    if (method != "GET") return method_not_allowed(kGet);
    if (!transaction) return error_response(404, "no transaction lookup here");
    return transaction(std::string(path.substr(18)));
  }
  if (path == "/api/login") {
    if (!login) return error_response(404, "no lab here: POST /api/login runs in mratls lab --keep-running only");
    if (method != "POST") return method_not_allowed("POST");
    return login(body);
  }
  return error_response(404, "no such admin path: " + std::string(path));
}

}  // namespace mratls::control
