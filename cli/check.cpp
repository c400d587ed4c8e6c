// mratls check: the pre-upgrade test. Probes every node × port × cipher preference the way
// X14.2's traffic server will connect, and says what would break and what to change.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "cli/check_report.hpp"
#include "cli/commands.hpp"
#include "config/load.hpp"
#include "logs/diagnosis.hpp"
#include "proxy/origin_probe.hpp"
#include "verify/x509_text.hpp"

namespace mratls::cli {
namespace {

using check::kRsaPrefix;

struct Options {
  std::string config_file;
  std::vector<std::string> nodes;
  std::string type = "cucm";
  std::vector<std::string> trust;
  std::string ciphers;
  std::string ports;
  std::vector<std::string> hosts;
  bool discover = false;
  bool show_logs = false;
  bool json = false;
  std::size_t concurrency = 64;
  int timeout_ms = 3000;
};

struct Node {
  config::ServerType type;
  std::string address;  // as configured or advertised
  std::string source;   // "configured" | "advertised by <publisher>" | "--node"
  std::vector<std::uint16_t> ports;
};

std::vector<std::uint16_t> default_ports(config::ServerType t) {
  switch (t) {
    case config::ServerType::UnifiedCm: return {8443, 6972};
    case config::ServerType::ImAndPresence: return {8443};
    case config::ServerType::UnityConnection: return {443};
  }
  return {};
}

std::expected<std::vector<std::uint16_t>, std::string> parse_ports(const std::string& text) {
  std::vector<std::uint16_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    static const std::regex digits(R"(^\d{1,5}$)");
    if (!std::regex_match(item, digits) || std::stoi(item) < 1 || std::stoi(item) > 65535)
      return std::unexpected("port '" + item + "' is not in 1-65535");
    out.push_back(static_cast<std::uint16_t>(std::stoi(item)));
  }
  if (out.empty()) return std::unexpected("no port given");
  return out;
}

std::string protocol_for(std::uint16_t port) { return port == 6970 ? "http" : "https"; }

std::string strip_rsa_prefix(std::string ciphers) {
  if (ciphers.starts_with(kRsaPrefix)) ciphers.erase(0, std::string(kRsaPrefix).size());
  return ciphers;
}

// Settings: the configuration file, then the flags.
std::expected<config::Config, std::string> settings_of(const Options& o) {
  config::Config config;
  if (!o.config_file.empty()) {
    auto loaded = config::load_config_file(o.config_file);
    if (!loaded) return std::unexpected(loaded.error().to_string());
    config = std::move(*loaded);
  }
  if (!o.trust.empty()) config.expressway.trusted_ca_certificates = o.trust;
  if (!o.ciphers.empty()) config.expressway.ciphers = o.ciphers;
  for (const auto& h : o.hosts) {
    auto eq = h.find('=');
    if (eq == std::string::npos) return std::unexpected("--hosts '" + h + "' is not NAME=ADDRESS");
    config.hosts[h.substr(0, eq)] = h.substr(eq + 1);
  }
  config.timeouts.connect_ms = config.timeouts.handshake_ms = o.timeout_ms;
  return config;
}

// The nodes to probe, each once: configured and advertised ones, then --node.
class NodeList {
 public:
  explicit NodeList(std::optional<std::vector<std::uint16_t>> port_override) : port_override_(std::move(port_override)) {}
  void add(config::ServerType type, const std::string& address, const std::string& source, std::vector<std::uint16_t> ports) {
    if (!seen_.insert({address, static_cast<int>(type)}).second) return;
    nodes_.push_back({type, address, source, port_override_ ? *port_override_ : std::move(ports)});
  }
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  std::optional<std::vector<std::uint16_t>> port_override_;
  std::vector<Node> nodes_;
  std::set<std::pair<std::string, int>> seen_;
};

std::expected<NodeList, std::string> nodes_of(const Options& o, const config::Config& config) {
  std::optional<std::vector<std::uint16_t>> port_override;
  if (!o.ports.empty()) {
    auto ports = parse_ports(o.ports);
    if (!ports) return std::unexpected("--ports: " + ports.error());
    port_override = *ports;
  }
  static const std::map<std::string, config::ServerType> types = {{"cucm", config::ServerType::UnifiedCm},
                                                                   {"imp", config::ServerType::ImAndPresence},
                                                                   {"unity", config::ServerType::UnityConnection}};
  NodeList list(port_override);
  for (const auto& s : config.servers)
    for (const auto& n : s.nodes) list.add(s.type, n, n == s.address ? "configured" : "advertised", default_ports(s.type));
  for (const auto& spec : o.nodes) {
    auto colon = spec.rfind(':');
    std::string host = spec;
    std::vector<std::uint16_t> ports = default_ports(types.at(o.type));
    if (colon != std::string::npos && spec.find(':') == colon) {
      host = spec.substr(0, colon);
      auto parsed = parse_ports(spec.substr(colon + 1));
      if (!parsed) return std::unexpected("--node '" + spec + "': " + parsed.error());
      ports = *parsed;
    }
    if (!mra::is_ip_literal(host) && !mra::is_dns_name(host))
      return std::unexpected("--node '" + spec + "': '" + host + "' is neither a DNS name nor an IP address");
    list.add(types.at(o.type), host, "--node", ports);
  }
  if (list.nodes().empty()) return std::unexpected("nothing to check: give --config FILE or --node HOST (see mratls check --help)");
  return list;
}

// Asks each CUCM publisher for the nodes it advertises; returns what it learnt, as notes.
std::vector<std::string> discover(NodeList& list, const proxy::Runtime& rt) {
  std::vector<std::string> notes;
  std::vector<Node> publishers;
  for (const auto& n : list.nodes())
    if (n.type == config::ServerType::UnifiedCm && n.source != "advertised") publishers.push_back(n);
  for (const auto& pub : publishers) {
    auto body = proxy::fetch_without_verification(rt, {pub.address, "https", 8443}, "/cucm-uds/servers");
    if (!body) {
      notes.push_back("discovery on " + pub.address + " failed: " + body.error());
      continue;
    }
    static const std::regex server(R"(<server>([^<]+)</server>)");
    std::size_t found = 0;
    for (auto it = std::sregex_iterator(body->begin(), body->end(), server); it != std::sregex_iterator(); ++it, ++found)
      list.add(config::ServerType::UnifiedCm, (*it)[1].str(), "advertised by " + pub.address,
               default_ports(config::ServerType::UnifiedCm));
    notes.push_back("discovery: " + pub.address + " advertises " + std::to_string(found) + " node(s)");
  }
  return notes;
}

int usage_error(const std::string& message) {
  std::cerr << "mratls check: " << message << "\n";
  return kUsage;
}

int run_check(const Options& o) {
  auto config = settings_of(o);
  if (!config) return usage_error(config.error());
  if (config->expressway.trusted_ca_certificates.empty())
    std::cerr << "mratls check: warning: no trusted CA certificates (--trust or expressway.trusted_ca_certificates): "
                 "every TLS node will fail verification\n";
  auto list = nodes_of(o, *config);
  if (!list) return usage_error(list.error());

  // The same settings twice: the cipher string as ECDSA-first and as RSA-first.
  auto ecdsa_config = *config;
  ecdsa_config.expressway.ciphers = strip_rsa_prefix(config->expressway.ciphers);
  auto rsa_config = ecdsa_config;
  rsa_config.expressway.ciphers = kRsaPrefix + ecdsa_config.expressway.ciphers;
  auto ecdsa_rt = proxy::Runtime::build(ecdsa_config, nullptr);
  auto rsa_rt = ecdsa_rt ? proxy::Runtime::build(rsa_config, nullptr) : ecdsa_rt;
  if (!ecdsa_rt || !rsa_rt) return usage_error(ecdsa_rt ? rsa_rt.error() : ecdsa_rt.error());

  std::vector<std::string> notes;
  if (o.discover) notes = discover(*list, **ecdsa_rt);

  std::vector<proxy::ProbeJob> jobs;
  for (const auto& n : list->nodes())
    for (auto port : n.ports) {
      proxy::ProbeTarget t{n.address, protocol_for(port), port};
      if (t.protocol == "http") {
        jobs.push_back({*ecdsa_rt, t, "n/a"});
        continue;
      }
      jobs.push_back({*ecdsa_rt, t, "ECDSA-first"});
      jobs.push_back({*rsa_rt, t, "RSA-first"});
    }
  const bool tty = isatty(STDERR_FILENO) != 0;
  auto probes = proxy::run_probes(jobs, o.concurrency, std::max(1u, std::thread::hardware_concurrency()),
                                  [&](std::size_t done) {
                                    if (tty) std::cerr << "\rprobing " << done << "/" << jobs.size() << std::flush;
                                  });
  if (tty) std::cerr << "\r" << std::string(40, ' ') << "\r";

  auto report = check::judge(std::move(probes), std::move(notes), *config);
  if (o.json) std::cout << check::report_json(report).dump(2) << "\n";
  else check::print_report(report, o.show_logs, std::cout);
  return report.failing ? kFindings : kOk;
}

}  // namespace

Action add_check(CLI::App& app) {
  auto* cmd = app.add_subcommand("check", "Pre-upgrade test: which nodes and ports X14.2 would refuse, and the fix for each");
  auto o = std::make_shared<Options>();
  cmd->add_option("--config,-c", o->config_file, "Configuration (servers, nodes, trust store, ciphers, hosts)");
  cmd->add_option("--node", o->nodes, "HOST or HOST:PORT,PORT (repeatable)");
  cmd->add_option("--type", o->type, "Type of the --node entries")->check(CLI::IsMember({"cucm", "imp", "unity"}))->capture_default_str();
  cmd->add_option("--trust", o->trust, "PEM files of the Expressway-C trust store (repeatable)");
  cmd->add_option("--ciphers", o->ciphers, "The Expressway cipher string");
  cmd->add_option("--ports", o->ports, "Ports for every node, comma-separated (6970 is plain HTTP)");
  cmd->add_option("--hosts", o->hosts, "NAME=ADDRESS static resolution (repeatable)");
  cmd->add_flag("--discover", o->discover, "Ask each CUCM publisher for the nodes it advertises (/cucm-uds/servers)");
  cmd->add_flag("--show-logs", o->show_logs, "Print the lines X14.2 would write for each failure");
  cmd->add_option("--concurrency", o->concurrency, "Probes in flight")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_option("--timeout-ms", o->timeout_ms, "Connect and handshake timeout per probe")->check(CLI::Range(50, 60000))->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON (schema mratls.check/1)");
  return [o]() { return run_check(*o); };
}

}  // namespace mratls::cli
