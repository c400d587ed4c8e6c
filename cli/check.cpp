// mratls check: the pre-upgrade test. Probes every node × port × cipher preference the way
// X14.2's traffic server will connect, and says what would break and what to change.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "check/change_board.hpp"
#include "check/change_date.hpp"
#include "check/run.hpp"
#include "cli/commands.hpp"
#include "config/load.hpp"
#include "config/whole_file.hpp"
#include "verify/doctor/certificate_facts.hpp"
#include "proxy/key_log.hpp"

namespace mratls::cli {
namespace {

struct CheckOptions {
  std::string config_file;
  std::vector<std::string> nodes;
  std::vector<std::string> types;
  std::string client_cert;
  std::string client_key;
  std::vector<std::string> trust;
  std::string ciphers;
  bool ciphers_given = false;
  std::string from;
  std::string at;
  std::string report_file;
  std::string ports;
  std::vector<std::string> hosts;
  bool discover = false;
  bool show_logs = false;
  bool json = false;
  std::size_t concurrency = 64;
  int timeout_ms = 3000;
};

// Settings: the configuration file, then the flags.
std::expected<config::Config, std::string> settings_of(const CheckOptions& o) {
  config::Config config;
  if (!o.config_file.empty()) {
    auto loaded = config::load_config_file(o.config_file);
    if (!loaded) return std::unexpected(loaded.error().to_string());
    config = std::move(*loaded);
  }
  if (!o.trust.empty()) config.expressway.trusted_ca_certificates = o.trust;
  if (o.ciphers_given && o.ciphers.empty())
    return std::unexpected("--ciphers is empty: give the cipher string in force, or leave --ciphers out for the appliance's default");
  if (o.ciphers_given) config.expressway.ciphers = o.ciphers;
  if (o.client_cert.empty() != o.client_key.empty())
    return std::unexpected("--client-cert and --client-key go together: the certificate Expressway-C presents and its key");
  if (!o.client_cert.empty()) {
    config.expressway.server_certificate = o.client_cert;
    config.expressway.server_private_key = o.client_key;
  }
  for (const auto& h : o.hosts) {
    auto eq = h.find('=');
    if (eq == std::string::npos) return std::unexpected("--hosts '" + h + "' is not NAME=ADDRESS");
    config.hosts[h.substr(0, eq)] = h.substr(eq + 1);
  }
  config.timeouts.connect_ms = config.timeouts.handshake_ms = o.timeout_ms;
  return config;
}

// The configured nodes, then --node.
std::expected<check::NodeList, std::string> nodes_of(const CheckOptions& o, const config::Config& config) {
  std::optional<std::vector<std::uint16_t>> port_override;
  if (!o.ports.empty()) {
    auto ports = check::parse_ports(o.ports);
    if (!ports) return std::unexpected("--ports: " + ports.error());
    port_override = *ports;
  }
  static const std::map<std::string, config::ServerType> types = {{"cucm", config::ServerType::UnifiedCm},
                                                                   {"imp", config::ServerType::ImAndPresence},
                                                                   {"unity", config::ServerType::UnityConnection}};
  // One --type for every --node, or one for each, in the order given.
  if (o.types.size() > 1 && o.types.size() != o.nodes.size())
    return std::unexpected("--type given " + std::to_string(o.types.size()) + " times for " + std::to_string(o.nodes.size()) +
                           " --node entries: give one --type for all, or one per --node, in the same order");
  check::NodeList list(port_override);
  check::add_configured(list, config);
  for (std::size_t i = 0; i < o.nodes.size(); ++i) {
    const auto& text = o.nodes[i];
    const auto type = types.at(o.types.empty() ? std::string("cucm") : o.types.size() == 1 ? o.types.front() : o.types[i]);
    auto spec = check::parse_node_spec(text);
    if (!spec) return std::unexpected("--node '" + text + "': " + spec.error());
    list.add(type, spec->host, "--node", spec->ports ? *spec->ports : check::default_ports(type));
  }
  if (list.nodes().empty()) return std::unexpected("nothing to check: give --config FILE or --node HOST (see mratls check --help)");
  return list;
}

int usage_error(const std::string& message) {
  std::cerr << "mratls check: " << message << "\n";
  return kUsage;
}

enum class ReportFormat { None, Html, Markdown };

std::expected<ReportFormat, std::string> report_format(const std::string& file) {
  if (file.empty()) return ReportFormat::None;
  const auto dot = file.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : file.substr(dot);
  if (ext == ".html" || ext == ".htm") return ReportFormat::Html;
  if (ext == ".md") return ReportFormat::Markdown;
  return std::unexpected("--report '" + file + "': name a .html file (the change board's page) or a .md file (for a ticket)");
}

// The site as the report names it: the configured system and its file, or the nodes given.
std::string site_of(const CheckOptions& o, const config::Config& config) {
  if (!o.config_file.empty()) return config.expressway.system_name + " (" + o.config_file + ")";
  std::string nodes;
  for (const auto& n : o.nodes) nodes += (nodes.empty() ? "" : ", ") + n;
  return "nodes " + nodes;
}

int run_check(const CheckOptions& o) {
  auto format = report_format(o.report_file);
  if (!format) return usage_error(format.error());
  // A report that cannot be written is said before the probes run, not after; asked without
  // creating the file, which appears only whole, once there is something to put in it.
  if (*format != ReportFormat::None)
    if (auto writable = mratls::config::can_create(o.report_file); !writable) return usage_error("--report: " + writable.error());
  auto config = settings_of(o);
  if (!config) return usage_error(config.error());
  if (config->expressway.trusted_ca_certificates.empty())
    std::cerr << "mratls check: warning: no trusted CA certificates (--trust or expressway.trusted_ca_certificates): "
                 "every TLS node will fail verification\n";
  auto list = nodes_of(o, *config);
  if (!list) return usage_error(list.error());
  if (const auto keylog = proxy::keylog_path(config->log.keylog_file); !keylog.empty())
    std::cerr << "mratls check: " << proxy::keylog_warning(keylog) << "\n";

  std::optional<verify::UpgradePath> upgrade;
  if (!o.from.empty()) {
    auto path = verify::upgrade_path(o.from, config->expressway.ciphers);
    if (!path) {
      // Name the input at fault where it came from: the flag, the file, or the default.
      const std::string source = path.error().input == verify::UpgradePathError::Input::From ? "--from "
                                 : o.ciphers_given                                            ? "--ciphers: "
                                 : !o.config_file.empty() ? o.config_file + ": expressway.ciphers: "
                                                          : "the default cipher string: ";
      return usage_error(source + path.error().message);
    }
    upgrade = std::move(*path);
  }

  std::optional<std::time_t> at;
  if (!o.at.empty()) {
    auto when = check::parse_change_date(o.at);
    if (!when) return usage_error(when.error());
    at = *when;
  }

  const bool tty = isatty(STDERR_FILENO) != 0;
  const std::time_t started = std::time(nullptr);
  check::Request request{*config, std::move(*list), o.discover, o.concurrency, std::max(1u, std::thread::hardware_concurrency()),
                         std::move(upgrade), at};
  auto report = check::run(std::move(request), [&](std::size_t done, std::size_t total) {
    if (tty) std::cerr << "\rprobing " << done << "/" << total << std::flush;
  });
  if (tty) std::cerr << "\r" << std::string(40, ' ') << "\r";
  if (!report) return usage_error(report.error());
  if (o.json) std::cout << json_text(check::report_json(*report)) << "\n";
  else if (report->upgrade) check::print_upgrade(*report, o.show_logs, std::cout);
  else check::print_report(*report, o.show_logs, std::cout);
  std::cout.flush();
  if (*format != ReportFormat::None) {
    const check::BoardContext context{site_of(o, *config), config->expressway.ciphers, MRATLS_VERSION,
                                      verify::doctor::iso_time(started)};
    const auto board = check::change_board(*report, context);
    const auto written = mratls::config::write_whole_file(
        o.report_file, *format == ReportFormat::Html ? check::board_html(board) : check::board_markdown(board));
    if (!written) return usage_error("--report: " + written.error());
    std::cerr << "mratls check: wrote " << o.report_file << "\n";
  }
  // With --from, report->failing counts after the upgrade only: the other preference is a risk.
  return report->failing || report->untested ? kFindings : kOk;
}

}  // namespace

Action add_check(CLI::App& app) {
  auto* cmd = app.add_subcommand("check", "Pre-upgrade test: which nodes and ports X14.2 would refuse, and the fix for each");
  auto o = std::make_shared<CheckOptions>();
  cmd->add_option("--config,-c", o->config_file, "Configuration (servers, nodes, trust store, ciphers, hosts)");
  cmd->add_option("--node", o->nodes, "HOST or HOST:PORT,PORT (repeatable)");
  cmd->add_option("--type", o->types,
                  "cucm | imp | unity: one for every --node, or repeated, one per --node in order (default cucm)")
      ->check(CLI::IsMember({"cucm", "imp", "unity"}));
  cmd->add_option("--trust", o->trust, "PEM files of the Expressway-C trust store (repeatable)");
  cmd->add_option("--ciphers", o->ciphers, "The Expressway cipher string in force (default: the appliance's default)")
      ->each([o](const std::string&) { o->ciphers_given = true; });
  cmd->add_option("--from", o->from,
                  "The release the site upgrades from (X12.7, X14.0.7) or 'fresh': judge every node under the cipher "
                  "string X14.2 will run after that upgrade, with the other preference as a risk and the ways of "
                  "steering away from ECDSA");
  cmd->add_option("--report", o->report_file,
                  "Also write the result for a change board: FILE.html (one self-contained page) or FILE.md (for a ticket)");
  cmd->add_option("--at", o->at,
                  "The date of the change (2027-03-01, UTC, or 2027-03-01T22:00:00Z): certificates are judged then, not "
                  "today, and those that expire within 30 days after it are warned of (node chains and the trust store)");
  cmd->add_option("--client-cert", o->client_cert,
                  "Expressway-C's server certificate (PEM), presented when a node asks for a client certificate "
                  "(default: the configuration's server_certificate)");
  cmd->add_option("--client-key", o->client_key, "Its private key (PEM)");
  cmd->add_option("--ports", o->ports, "Ports for every node, comma-separated (6970 is plain HTTP)");
  cmd->add_option("--hosts", o->hosts, "NAME=ADDRESS static resolution (repeatable)");
  cmd->add_flag("--discover", o->discover, "Ask each CUCM publisher for the nodes it advertises (/cucm-uds/servers)");
  cmd->add_flag("--show-logs", o->show_logs, "Print the lines X14.2 would write for each failure");
  cmd->add_option("--concurrency", o->concurrency, "Probes in flight")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_option("--timeout-ms", o->timeout_ms, "Connect and handshake timeout per probe")->check(CLI::Range(50, 60000))->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON (schema mratls.check/1)");
  cmd->footer(
      "Default ports: CUCM 8443 and 6972, IM&P 8443, Unity Connection 443 (6970 is plain HTTP TFTP, reported as not "
      "subject to verification).\n"
      "Upgrade rules (X14.2.1 release notes): from below X14.0 the cipher string stays as it is (the default prefers "
      "ECDSA); from X14.0 or later ECDHE-RSA-AES256-GCM-SHA384: is prepended (RSA preferred); a fresh install runs "
      "the default.\n"
      "Exit codes: 0 every probe passes under X14.2 (with --from: after the upgrade), 1 some node would fail, 2 usage "
      "or configuration error.");
  return [o]() { return run_check(*o); };
}

}  // namespace mratls::cli
