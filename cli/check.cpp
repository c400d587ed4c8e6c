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

#include "cli/commands.hpp"
#include "config/load.hpp"
#include "logs/diagnosis.hpp"
#include "proxy/origin_probe.hpp"
#include "verify/x509_text.hpp"

namespace mratls::cli {
namespace {

constexpr const char* kRsaPrefix = "ECDHE-RSA-AES256-GCM-SHA384:";

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

// The specific fix for one refused or failed probe, naming the certificate at fault.
std::string fix_for(const proxy::Probe& p, const logs::Diagnosis& d) {
  const std::string where = p.target.node + ":" + std::to_string(p.target.port);
  const verify::CertificateSummary* leaf = p.chain.empty() ? nullptr : &p.chain.front();
  const std::string leaf_name = leaf ? "'" + leaf->subject_cn + "'" : "its certificate";
  switch (d.cause) {
    case logs::Cause::SelfSigned:
      return "Upload the self-signed certificate " + leaf_name + " of " + where +
             " to the Expressway-C trust store (on every Expressway-C cluster node), or have it signed by a CA the trust store holds.";
    case logs::Cause::UntrustedChain: {
      std::string cas;
      for (std::size_t i = 0; i < p.chain.size(); ++i) {
        const auto& c = p.chain[i];
        const std::string name = i == 0 ? c.issuer_cn : c.subject_cn;
        if (!name.empty() && cas.find("'" + name + "'") == std::string::npos) cas += (cas.empty() ? "" : ", ") + ("'" + name + "'");
        if (i > 0 && !c.self_signed && !c.issuer_cn.empty() && cas.find("'" + c.issuer_cn + "'") == std::string::npos)
          cas += ", '" + c.issuer_cn + "'";
      }
      return "Upload the CAs of the chain " + where + " presents (" + cas + ") to the Expressway-C trust store.";
    }
    case logs::Cause::MissingIntermediate:
      return where + " sends " + leaf_name + " without its issuer '" + (leaf ? leaf->issuer_cn : std::string("?")) +
             "': upload that intermediate (and its root) to the Expressway-C trust store, or make the node send its full chain.";
    case logs::Cause::NameNotInCertificate:
    case logs::Cause::IpNotInCertificate: {
      std::string fix = "Add " + p.target.node + " to " + leaf_name + " as a DNS-type SAN";
      if (leaf && std::find(leaf->ip_sans.begin(), leaf->ip_sans.end(), p.target.node) != leaf->ip_sans.end())
        fix += " (it is there only as an IP-address SAN, which the traffic server does not consult)";
      fix += ", or change CUCM System > Server to a name in the certificate";
      if (leaf && !leaf->dns_sans.empty()) fix += " (" + leaf->dns_sans.front() + ")";
      return fix + " and refresh the servers on Expressway-C.";
    }
    case logs::Cause::Expired:
      return "Renew " + leaf_name + " of " + where + (leaf ? " (expired " + leaf->not_after + ")" : std::string()) + ".";
    case logs::Cause::NotYetValid:
      return leaf_name + " of " + where + " is not valid before " + (leaf ? leaf->not_before : std::string("?")) +
             ": check the clocks (NTP) or reissue it.";
    default:
      return d.fix.empty() ? "Check " + where + ": " + p.error : d.fix;
  }
}

struct Row {
  proxy::Probe probe;
  logs::Diagnosis diagnosis;
  std::string fix;
};

std::string reason_of(const Row& r) {
  using proxy::ProbeOutcome;
  switch (r.probe.outcome) {
    case ProbeOutcome::Verified: return "";
    case ProbeOutcome::NotTls: return "plain HTTP: not subject to verification";
    case ProbeOutcome::ConnectFailed: return "no connection: " + r.probe.error;
    case ProbeOutcome::TlsFailed: return "TLS fails: " + r.probe.error;
    case ProbeOutcome::Refused: return r.diagnosis.summary;
  }
  return "";
}

int run_check(const Options& o) {
  // Settings: the configuration file, then the flags.
  config::Config config;
  if (!o.config_file.empty()) {
    auto loaded = config::load_config_file(o.config_file);
    if (!loaded) {
      std::cerr << "mratls check: " << loaded.error().to_string() << "\n";
      return kUsage;
    }
    config = std::move(*loaded);
  }
  if (!o.trust.empty()) config.expressway.trusted_ca_certificates = o.trust;
  if (!o.ciphers.empty()) config.expressway.ciphers = o.ciphers;
  for (const auto& h : o.hosts) {
    auto eq = h.find('=');
    if (eq == std::string::npos) {
      std::cerr << "mratls check: --hosts '" << h << "' is not NAME=ADDRESS\n";
      return kUsage;
    }
    config.hosts[h.substr(0, eq)] = h.substr(eq + 1);
  }
  config.timeouts.connect_ms = config.timeouts.handshake_ms = o.timeout_ms;
  if (config.expressway.trusted_ca_certificates.empty())
    std::cerr << "mratls check: warning: no trusted CA certificates (--trust or expressway.trusted_ca_certificates): "
                 "every TLS node will fail verification\n";

  std::optional<std::vector<std::uint16_t>> port_override;
  if (!o.ports.empty()) {
    auto ports = parse_ports(o.ports);
    if (!ports) {
      std::cerr << "mratls check: --ports: " << ports.error() << "\n";
      return kUsage;
    }
    port_override = *ports;
  }
  const std::map<std::string, config::ServerType> types = {
      {"cucm", config::ServerType::UnifiedCm}, {"imp", config::ServerType::ImAndPresence}, {"unity", config::ServerType::UnityConnection}};

  std::vector<Node> nodes;
  std::set<std::pair<std::string, int>> seen;
  auto add_node = [&](config::ServerType type, const std::string& address, const std::string& source,
                      std::vector<std::uint16_t> ports) {
    if (!seen.insert({address, static_cast<int>(type)}).second) return;
    nodes.push_back({type, address, source, port_override ? *port_override : std::move(ports)});
  };
  for (const auto& s : config.servers)
    for (const auto& n : s.nodes) add_node(s.type, n, n == s.address ? "configured" : "advertised", default_ports(s.type));
  for (const auto& spec : o.nodes) {
    auto colon = spec.rfind(':');
    std::string host = spec;
    std::vector<std::uint16_t> ports = default_ports(types.at(o.type));
    if (colon != std::string::npos && spec.find(':') == colon) {
      host = spec.substr(0, colon);
      auto parsed = parse_ports(spec.substr(colon + 1));
      if (!parsed) {
        std::cerr << "mratls check: --node '" << spec << "': " << parsed.error() << "\n";
        return kUsage;
      }
      ports = *parsed;
    }
    if (!proxy::is_ip_literal(host) && !proxy::is_dns_name(host)) {
      std::cerr << "mratls check: --node '" << spec << "': '" << host << "' is neither a DNS name nor an IP address\n";
      return kUsage;
    }
    add_node(types.at(o.type), host, "--node", ports);
  }
  if (nodes.empty()) {
    std::cerr << "mratls check: nothing to check: give --config FILE or --node HOST (see mratls check --help)\n";
    return kUsage;
  }

  auto ecdsa_config = config;
  ecdsa_config.expressway.ciphers = strip_rsa_prefix(config.expressway.ciphers);
  auto rsa_config = ecdsa_config;
  rsa_config.expressway.ciphers = kRsaPrefix + ecdsa_config.expressway.ciphers;
  auto ecdsa_rt = proxy::Runtime::build(ecdsa_config, nullptr);
  auto rsa_rt = ecdsa_rt ? proxy::Runtime::build(rsa_config, nullptr) : ecdsa_rt;
  if (!ecdsa_rt || !rsa_rt) {
    std::cerr << "mratls check: " << (ecdsa_rt ? rsa_rt.error() : ecdsa_rt.error()) << "\n";
    return kUsage;
  }

  std::vector<std::string> notes;
  if (o.discover) {
    std::vector<Node> publishers;
    for (const auto& n : nodes)
      if (n.type == config::ServerType::UnifiedCm && n.source != "advertised") publishers.push_back(n);
    for (const auto& pub : publishers) {
      auto body = proxy::fetch_without_verification(**ecdsa_rt, {pub.address, "https", 8443}, "/cucm-uds/servers");
      if (!body) {
        notes.push_back("discovery on " + pub.address + " failed: " + body.error());
        continue;
      }
      static const std::regex server(R"(<server>([^<]+)</server>)");
      std::size_t found = 0;
      for (auto it = std::sregex_iterator(body->begin(), body->end(), server); it != std::sregex_iterator(); ++it, ++found)
        add_node(config::ServerType::UnifiedCm, (*it)[1].str(), "advertised by " + pub.address, default_ports(config::ServerType::UnifiedCm));
      notes.push_back("discovery: " + pub.address + " advertises " + std::to_string(found) + " node(s)");
    }
  }

  std::vector<proxy::ProbeJob> jobs;
  for (const auto& n : nodes)
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

  std::vector<Row> rows;
  for (auto& p : probes) {
    Row r{std::move(p), {}, {}};
    if (r.probe.outcome == proxy::ProbeOutcome::Refused) {
      r.diagnosis = logs::diagnose(r.probe.x142_lines);
      r.fix = fix_for(r.probe, r.diagnosis);
    } else if (r.probe.outcome == proxy::ProbeOutcome::TlsFailed || r.probe.outcome == proxy::ProbeOutcome::ConnectFailed) {
      r.diagnosis = logs::diagnose(r.probe.x142_lines);
      if (r.diagnosis.cause == logs::Cause::ClientCertRejected)
        r.fix = "Before X14.2 too: " + r.diagnosis.summary + " (" + r.probe.target.node + ":" +
                std::to_string(r.probe.target.port) + "). " + r.diagnosis.fix;
      else
        r.fix = "Before X14.2 too: " + reason_of(r) + " — check that " + r.probe.target.node + " listens with TLS on port " +
                std::to_string(r.probe.target.port) + ".";
    }
    rows.push_back(std::move(r));
  }
  // The cipher preference: a node-port refused ECDSA-first only, or under both because TLS 1.3.
  std::map<std::pair<std::string, int>, std::pair<Row*, Row*>> pairs;
  for (auto& r : rows) {
    auto& slot = pairs[{r.probe.target.node, r.probe.target.port}];
    (r.probe.preference == "RSA-first" ? slot.second : slot.first) = &r;
  }
  for (auto& [key, pr] : pairs) {
    auto [ecdsa, rsa] = pr;
    if (!ecdsa || !rsa || ecdsa->probe.outcome != proxy::ProbeOutcome::Refused) continue;
    const auto* leaf = ecdsa->probe.chain.empty() ? nullptr : &ecdsa->probe.chain.front();
    if (!leaf || leaf->key_type != "ECDSA") continue;
    if (rsa->probe.outcome == proxy::ProbeOutcome::Verified) {
      ecdsa->fix = "Fails only ECDSA-first: " + key.first + ":" + std::to_string(key.second) + " presents '" + leaf->subject_cn +
                   "' (tomcat-ECDSA / CallManager-ECDSA, issued by '" + leaf->issuer_cn +
                   "'): have it CA-signed or upload it to the trust store, or prefix the Expressway cipher string with " +
                   kRsaPrefix + " so that the RSA certificate is chosen.";
    } else if (ecdsa->probe.tls_version == "TLSv1.3") {
      ecdsa->fix += " The RSA-first cipher prefix cannot help here: " + key.first + " negotiates TLS 1.3, where the cipher "
                    "string does not choose the certificate.";
    }
  }
  std::map<std::string, std::vector<std::string>> fixes;  // fix → affected
  std::size_t failing = 0;
  for (const auto& r : rows)
    if (!r.probe.x142_ok()) {
      ++failing;
      fixes[r.fix].push_back(r.probe.target.node + ":" + std::to_string(r.probe.target.port) + " " + r.probe.preference);
    }
  // Expressway keeps one trust-store certificate per CN.
  if (auto trust = verify::TrustStore::load(config.expressway.trusted_ca_certificates)) {
    std::map<std::string, int> cns;
    for (const auto& c : trust->certificates()) ++cns[verify::summarize(c.get()).subject_cn];
    for (const auto& [cn, count] : cns)
      if (count > 1)
        notes.push_back("the trust store holds " + std::to_string(count) + " certificates with CN '" + cn +
                        "': Expressway keeps only one of them — have the nodes' certificates CA-signed");
  }
  // VerifyOriginServer Off only helps where X14.2's verification is what refuses.
  const bool refused = std::ranges::any_of(rows, [](const auto& r) { return r.probe.outcome == proxy::ProbeOutcome::Refused; });

  if (o.json) {
    nlohmann::json out{{"schema", "mratls.check/1"}, {"summary", {{"probes", rows.size()}, {"x142_failures", failing}}}};
    out["probes"] = nlohmann::json::array();
    for (const auto& r : rows) {
      nlohmann::json chain = nlohmann::json::array();
      for (const auto& c : r.probe.chain)
        chain.push_back({{"subject", c.subject}, {"subject_cn", c.subject_cn}, {"issuer", c.issuer}, {"issuer_cn", c.issuer_cn},
                         {"dns_sans", c.dns_sans}, {"ip_sans", c.ip_sans}, {"key_type", c.key_type}, {"key_bits", c.key_bits},
                         {"not_before", c.not_before}, {"not_after", c.not_after}, {"sha256", c.sha256},
                         {"self_signed", c.self_signed}});
      nlohmann::json findings = nlohmann::json::array();
      for (const auto& f : r.probe.findings)
        findings.push_back({{"kind", f.kind == verify::Finding::Kind::Name ? "name" : "chain"},
                            {"x509_error", f.x509_error}, {"depth", f.depth},
                            {"text", f.kind == verify::Finding::Kind::Name
                                         ? std::string("name not in certificate")
                                         : verify::x509_error_text(f.x509_error, config::OpenSslText::Expressway)}});
      out["probes"].push_back({{"node", r.probe.target.node}, {"ip", r.probe.ip}, {"port", r.probe.target.port},
                               {"protocol", r.probe.target.protocol}, {"preference", r.probe.preference},
                               {"outcome", proxy::to_string(r.probe.outcome)}, {"before_x142", r.probe.before_x142_ok()},
                               {"x142", r.probe.x142_ok()}, {"tls_version", r.probe.tls_version}, {"cipher", r.probe.cipher},
                               {"error", r.probe.error}, {"chain", chain}, {"findings", findings}, {"lines", r.probe.x142_lines},
                               {"cause", logs::to_string(r.diagnosis.cause)}, {"reason", reason_of(r)}, {"fix", r.fix}});
    }
    out["fixes"] = nlohmann::json::array();
    for (const auto& [fix, affected] : fixes) out["fixes"].push_back({{"fix", fix}, {"affected", affected}});
    out["notes"] = notes;
    out["workaround"] = refused ? nlohmann::json(logs::kVerifyOffWorkaround) : nlohmann::json();
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << std::left << std::setw(26) << "node" << std::setw(16) << "address" << std::setw(6) << "port" << std::setw(13)
              << "preference" << std::setw(11) << "pre-X14.2" << std::setw(8) << "X14.2" << "reason\n";
    for (const auto& r : rows)
      std::cout << std::setw(26) << r.probe.target.node << std::setw(16) << r.probe.ip << std::setw(6) << r.probe.target.port
                << std::setw(13) << r.probe.preference << std::setw(11) << (r.probe.before_x142_ok() ? "pass" : "FAIL")
                << std::setw(8) << (r.probe.x142_ok() ? "pass" : "FAIL") << reason_of(r) << "\n";
    std::cout << std::right;
    for (const auto& n : notes) std::cout << "note: " << n << "\n";
    if (!fixes.empty()) {
      std::cout << "\nWhat to change before upgrading to X14.2:\n";
      for (const auto& [fix, affected] : fixes) {
        std::cout << "- " << fix << "\n  affects:";
        for (const auto& a : affected) std::cout << " " << a << ";";
        std::cout << "\n";
      }
      // Only where it would help: a handshake that fails before X14.2 too is not verification.
      if (refused) std::cout << "\n" << logs::kVerifyOffWorkaround << "\n";
    } else {
      std::cout << "\nEvery node and port passes X14.2's origin verification.\n";
    }
    if (o.show_logs)
      for (const auto& r : rows)
        if (!r.probe.x142_lines.empty()) {
          std::cout << "\n" << r.probe.target.node << ":" << r.probe.target.port << " " << r.probe.preference << ", as X14.2 logs it:\n";
          for (const auto& l : r.probe.x142_lines) std::cout << "  " << l << "\n";
        }
  }
  return failing ? kFindings : kOk;
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
