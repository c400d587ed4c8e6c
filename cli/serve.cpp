// mratls serve: the traffic server. SIGTERM/SIGINT drain and stop; SIGHUP reloads.
#include <iostream>

#include "cli/commands.hpp"
#include "config/load.hpp"
#include "control/admin_listener.hpp"
#include "proxy/server.hpp"
#include "proxy/signal_loop.hpp"

namespace mratls::cli {
namespace {

struct ServeOptions {
  std::string config;
  std::string check_config;
  int port = -1;
  int admin_port = -1;
};

std::expected<std::shared_ptr<const proxy::Runtime>, std::string> build_runtime(const std::string& path, int port_override) {
  auto config = config::load_config_file(path);
  if (!config) return std::unexpected(config.error().to_string());
  if (port_override >= 0) config->listen.port = static_cast<std::uint16_t>(port_override);
  auto log = logs::Log::open(config->log, config->expressway.system_name);
  if (!log) return std::unexpected(log.error());
  return proxy::Runtime::build(std::move(*config), *log);
}

int run_serve(const ServeOptions& o) {
  if (!o.check_config.empty()) {
    auto config = config::load_config_file(o.check_config);
    if (!config) {
      std::cerr << "mratls serve: " << config.error().to_string() << "\n";
      return kUsage;
    }
    // Everything start-up builds (trust store, cipher string, key pair, allow list), without
    // opening the log: a configuration that passes here also starts.
    const auto servers = config->servers.size();
    const auto verify_mode = config->expressway.verify_origin_server;
    const auto version = config->expressway.version.to_string();
    auto runtime = proxy::Runtime::build(std::move(*config), nullptr);
    if (!runtime) {
      std::cerr << "mratls serve: " << runtime.error() << "\n";
      return kUsage;
    }
    std::cout << o.check_config << ": OK (" << servers << " servers, " << (*runtime)->trusted_certificates
              << " trusted certificates, VerifyOriginServer " << config::to_string(verify_mode) << ", " << version << ")\n";
    return kOk;
  }
  if (o.config.empty()) {
    std::cerr << "mratls serve: --config FILE is required (see mratls serve --help)\n";
    return kUsage;
  }
  auto runtime = build_runtime(o.config, o.port);
  if (!runtime) {
    std::cerr << "mratls serve: " << runtime.error() << "\n";
    return kUsage;
  }
  if (const auto& keylog = (*runtime)->keylog) std::cerr << "mratls serve: " << proxy::keylog_warning(keylog->path()) << "\n";
  proxy::Server server(*runtime);
  server.runtimes().set_source({o.config, o.port});
  if (auto ok = server.listen(); !ok) {
    std::cerr << "mratls serve: " << ok.error() << "\n";
    return kUsage;
  }
  std::unique_ptr<control::AdminListener> admin;
  auto admin_settings = (*runtime)->config.admin;
  if (o.admin_port >= 0) admin_settings.port = o.admin_port;
  if (admin_settings.port >= 0) {
    auto opened = control::AdminListener::open(server, admin_settings);
    if (!opened) {
      std::cerr << "mratls serve: " << opened.error() << "\n";
      return kUsage;
    }
    admin = std::move(*opened);
  }
  proxy::SignalHandlers handlers;
  // The admin's changes, if any, are put back on top of the file (docs/configuration.md).
  handlers.on_reload = [&] {
    auto next = server.runtimes().reload();
    if (!next) {
      std::cerr << "mratls serve: reload refused, the running configuration stays: " << next.error() << "\n";
      return;
    }
    std::cerr << "mratls serve: configuration and trust store reloaded from " << o.config << " (runtime generation "
              << (*next)->generation << ")\n";
  };
  handlers.on_stop = [] { std::cerr << "mratls serve: stopping: no new connections, finishing requests in progress\n"; };
  proxy::SignalLoop signals(std::move(handlers));  // before the readiness line: a script may signal on it

  const auto& cfg = (*runtime)->config;
  std::cerr << "mratls serve: listening on " << cfg.listen.address << ":" << server.port() << " as "
            << cfg.listen.public_name << " (" << cfg.expressway.version.to_string() << ", VerifyOriginServer "
            << config::to_string(cfg.expressway.verify_origin_server) << ", " << server.thread_count()
            << " event threads)\n";
  if (admin) std::cerr << "mratls serve: admin page and API on " << admin->url() << "\n";
  server.start();
  signals.run(server);
  server.runtime()->log->flush();
  return kOk;
}

}  // namespace

Action add_serve(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Run the MRA reverse proxy (the Expressway-C traffic server)");
  auto o = std::make_shared<ServeOptions>();
  cmd->add_option("--config,-c", o->config, "YAML configuration (every key: docs/configuration.md)");
  cmd->add_option("--check-config", o->check_config, "Validate a configuration and its trust store, then exit (0 valid, 2 invalid)");
  cmd->add_option("--port", o->port, "Override listen.port (0: an ephemeral port)")->check(CLI::Range(0, 65535));
  cmd->add_option("--admin-port", o->admin_port,
                  "Open the admin listener (page, API, events, metrics) on this port (0: ephemeral); overrides admin.port")
      ->check(CLI::Range(0, 65535));
  cmd->footer(
      "Signals: SIGTERM/SIGINT stop accepting and drain; SIGHUP reloads the configuration and trust store, and puts\n"
      "back on top what the admin API changed since (each with a [reload] NOTICE line; mratls admin export saves it).");
  return [o]() { return run_serve(*o); };
}

}  // namespace mratls::cli
