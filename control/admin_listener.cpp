#include "control/admin_listener.hpp"

#include "control/admin_client.hpp"
#include "control/admin_page.hpp"
#include "control/metrics_text.hpp"
#include "logs/line_format.hpp"
#include "logs/transaction_lines.hpp"
#include "mra/mra_path.hpp"
#include "proxy/outcome_record.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::control {

AdminListener::AdminListener(proxy::Server& server, std::string address)
    : proxy_(server),
      controller_(server), api_(controller_, AdminAccess{}), server_(api_, hub_), address_(std::move(address)) {
  // Every runtime that becomes current, from the API or a SIGHUP: the live view follows the
  // log it writes to (before the change's own lines) and shows its state.
  server.runtimes().on_new_log([this](const std::shared_ptr<logs::Log>& log) { follow(log); });
  server.runtimes().on_current([this](const proxy::Runtime&) { hub_.publish("state", controller_.state().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)); });
  api_.add_to_state = [&server](nlohmann::json& state) { state["origins"] = origins_json(server.board().origins()); };
  api_.metrics = [&server] {
    return AdminResponse{200, "text/plain; version=0.0.4; charset=utf-8", prometheus_text(server.metrics()), {}, false};
  };
  api_.page = admin_page;
  // The lines of one request by its TrackingID, from the log's live tap; "complete" once its
  // Sending Response is there, so that a client knows when to stop asking.
  api_.transaction = [this](const std::string& tracking_id) {
    auto t = logs::transaction_lines(hub_.recent_lines(), tracking_id);
    if (t.txn_id.empty()) return error_response(404, "no transaction with TrackingID " + tracking_id + " in the recent lines");
    const bool complete = !t.lines.empty() && t.lines.back().find(logs::words::kSendingResponseField) != std::string::npos;
    nlohmann::json reply{{"tracking_id", tracking_id}, {"txn_id", t.txn_id}, {"complete", complete}, {"lines", t.lines},
                         {"reasons", t.reasons}};
    // What the proxy itself made of it, when it keeps outcomes: it saw the chain the lines do not
    // carry (which CA, which key), and the fix fits the cipher string in force.
    const auto rt = proxy_.runtime();
    if (const auto d = rt->outcomes ? rt->outcomes->diagnosis(tracking_id) : std::nullopt) {
      reply["cause"] = verify::to_string(d->cause);
      reply["summary"] = d->summary;
      reply["fix"] = d->fix;
      reply["fixes"] = d->fixes;
    }
    return json_response(200, reply);
  };
  server.board().watch(true);
}

std::expected<std::unique_ptr<AdminListener>, std::string> AdminListener::open(
    proxy::Server& server, const config::Admin& admin, const std::function<void(AdminListener&)>& before_start) {
  AdminAccess access;
  if (!admin.token_file.empty()) {
    auto token = read_token_file(admin.token_file);
    if (!token) return std::unexpected(token.error());
    access.token = std::move(*token);
  } else if (!config::is_loopback_address(admin.address)) {
    return std::unexpected("admin.address '" + admin.address + "' is not loopback: admin.token_file is required");
  }
  auto listener = std::make_unique<AdminListener>(server, admin.address);
  if (auto ok = listener->server_.listen(admin.address, static_cast<std::uint16_t>(admin.port)); !ok) return std::unexpected(ok.error());
  // The Host rule needs the port, known only now; a token-protected listener answers any Host.
  if (access.token.empty()) access.hosts = loopback_hosts(admin.address, listener->port());
  listener->api_.set_access(std::move(access));
  listener->follow(server.runtime()->log);
  if (before_start) before_start(*listener);
  listener->server_.start();
  return listener;
}

AdminListener::~AdminListener() {
  proxy_.runtimes().on_current({});
  proxy_.runtimes().on_new_log({});
  server_.stop();
  proxy_.board().watch(false);
  if (followed_) followed_->set_tap(nullptr);
}

std::string AdminListener::url() const {
  return "http://" + mra::host_port(address_, port()) + "/";
}

void AdminListener::follow(std::shared_ptr<logs::Log> log) {
  if (followed_ == log) return;
  if (followed_) {
    followed_->flush();  // what it has taken so far reaches the view
    followed_->set_tap(nullptr);
  }
  log->set_tap([this](std::string_view line) { hub_.publish("log", std::string(line)); });
  followed_ = std::move(log);
}

}  // namespace mratls::control
