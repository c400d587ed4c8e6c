// mratls lab: the built-in lab. Mock CUCM, IM&P and Unity Connection nodes with the
// certificates that break MRA in the field, the real proxy in front, an MRA login through it
// for every cluster, and what X14.2 does to each, side by side with the switches that change it.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <algorithm>
#include <map>
#include <thread>

#include "cli/commands.hpp"
#include "config/save.hpp"
#include "lab/running_cluster.hpp"
#include "lab/scenarios.hpp"
#include "proxy/blocking_client.hpp"
#include "proxy/in_process.hpp"
#include "mra/mra_path.hpp"

namespace mratls::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRsaFirstCiphers =
    "ECDHE-RSA-AES256-GCM-SHA384:EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:!aNULL:!aDH";
constexpr const char* kPublicName = "vcs_control.steven.lab";

struct Options {
  std::string scenario;
  std::string verify;  // on | off | log-only | "" (all)
  std::string prefer;  // ecdsa | rsa | "" (both)
  std::string out;
  bool json = false;
  bool list = false;
  bool keep_running = false;
  int port = 8443;
};

struct Style {
  bool colour = false;
  std::string bold(const std::string& s) const { return colour ? "\033[1m" + s + "\033[0m" : s; }
  std::string status(int code) const {
    std::string text = code == 0 ? "---" : std::to_string(code);
    if (!colour) return text;
    return (code == 200 ? "\033[32m" : "\033[31m") + text + "\033[0m";
  }
};

struct Setting {
  std::string label;
  config::VerifyOriginServer verify;
  bool rsa_first;
  config::Version version;
};

std::vector<Setting> settings_for(const Options& o) {
  std::vector<Setting> out;
  for (auto version : {config::Version{14, 0, 7}, config::Version{14, 2, 0}})
    for (auto verify : {config::VerifyOriginServer::On, config::VerifyOriginServer::LogOnly, config::VerifyOriginServer::Off})
      for (bool rsa : {false, true}) {
        if (!o.verify.empty() && o.verify != config::yaml_value(verify)) continue;
        if (!o.prefer.empty() && (o.prefer == "rsa") != rsa) continue;
        out.push_back({version.to_string() + " " + config::yaml_value(verify) + (rsa ? " RSA-first" : " ECDSA-first"), verify, rsa,
                       version});
      }
  return out;
}

// Where the lab's trust store (and, with --out, everything else) is written.
struct LabDir {
  fs::path path;
  bool scratch = false;
  explicit LabDir(const std::string& out) {
    if (out.empty()) {
      scratch = true;
      path = fs::temp_directory_path() / ("mratls-lab-" + std::to_string(getpid()));
    } else {
      path = fs::absolute(out);
    }
    fs::create_directories(path / "trust");
    fs::create_directories(path / "expressway");
    const auto& pki = lab::LabAuthorities::shared();
    std::ofstream(trust_file()) << pki.root.cert_pem();
    std::ofstream(server_certificate()) << pki.expressway.cert_pem();
    std::ofstream(server_private_key()) << pki.expressway.key_pem();
  }
  ~LabDir() {
    std::error_code ignored;
    if (scratch) fs::remove_all(path, ignored);
  }
  std::string trust_file() const { return (path / "trust" / "lab-root.pem").string(); }
  // Expressway-C's own certificate, presented to nodes that ask for a client certificate.
  std::string server_certificate() const { return (path / "expressway" / (std::string(lab::kLabExpresswayC) + ".pem")).string(); }
  std::string server_private_key() const { return (path / "expressway" / (std::string(lab::kLabExpresswayC) + ".key")).string(); }
};

config::Config lab_config(const LabDir& dir) {
  config::Config c;
  c.source = "built-in lab";
  c.expressway.system_name = "vcsc";
  c.expressway.trusted_ca_certificates = {dir.trust_file()};
  c.expressway.server_certificate = dir.server_certificate();
  c.expressway.server_private_key = dir.server_private_key();
  c.listen.address = "127.0.0.1";
  c.listen.port = 0;
  c.listen.public_name = kPublicName;
  c.threads = 1;
  c.timeouts.handshake_ms = 2000;
  c.timeouts.origin_response_ms = 2000;
  return c;
}

void apply(const Setting& s, config::Config& c) {
  c.expressway.verify_origin_server = s.verify;
  c.expressway.version = s.version;
  if (s.rsa_first) c.expressway.ciphers = kRsaFirstCiphers;
}

std::string absolute_get(const std::string& segment, const std::string& rest) {
  return "GET http://" + std::string(kPublicName) + ":8443/" + segment + rest + " HTTP/1.1\r\nHost: " + kPublicName +
         ":8443\r\n\r\n";
}

// The three sequences of the seed log: a UDS request on 8443, TFTP on 6972 with a self-signed
// certificate, and a request to the node by IP address.
nlohmann::json seed_sequences(const LabDir& dir, const Style& style, bool json) {
  const auto& ca = lab::LabAuthorities::shared();
  const std::string node_ip = "127.0.0.11";
  lab::CertSpec tomcat;
  tomcat.common_name = lab::kLabCucm;
  tomcat.dns_sans = {lab::kLabCucm};
  lab::LabCluster seed{"seed", "the seed log's node", {}};
  seed.nodes.push_back({lab::kLabCucm, node_ip, lab::kLabCucm, lab::NodeRole::Cucm, {{lab::issue(tomcat, &ca.root), {}}},
                        {{lab::issue(tomcat, nullptr), {}}}, false});
  auto cluster = lab::RunningCluster::start(std::move(seed));
  if (!cluster) throw std::runtime_error(cluster.error());
  auto config = lab_config(dir);
  (*cluster)->configure_proxy(config);
  config.servers.front().nodes.push_back(node_ip);
  auto proxy = proxy::InProcessProxy::start(config);
  if (!proxy) throw std::runtime_error(proxy.error());

  auto seg = [](const std::string& host, std::uint16_t port) {
    return mra::encode_segment({lab::kLabDomain, "https", host, port, mra::is_ip_literal(host)});
  };
  struct Step {
    std::string title;
    std::string request;
  };
  std::vector<Step> steps = {
      {"UDS devices on 8443, CA-signed tomcat certificate", absolute_get(seg(lab::kLabCucm, 8443), "/cucm-uds/user/emusk/devices")},
      {"TFTP on 6972, self-signed certificate", absolute_get(seg(lab::kLabCucm, 6972), "/CSFemusk.cnf.xml")},
      {"UDS by IP address (CUCM System > Server advertises " + node_ip + "), certificate names the FQDN only",
       absolute_get(seg(node_ip, 8443), "/cucm-uds/user/emusk/devices?max=100")},
  };
  nlohmann::json out = nlohmann::json::array();
  if (!json)
    std::cout << style.bold("== The seed log's three sequences, produced by the real proxy against real TLS origins") << "\n";
  std::size_t responses = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto before = (*proxy)->sink().lines().size();
    proxy::BlockingClient client("127.0.0.1", (*proxy)->port());
    auto r = client.exchange(steps[i].request);
    (*proxy)->wait_for_response(++responses);
    auto all = (*proxy)->sink().lines();
    std::vector<std::string> lines(all.begin() + static_cast<long>(before), all.end());
    out.push_back({{"title", steps[i].title}, {"status", r.status}, {"lines", lines}});
    if (json) continue;
    std::cout << "\n" << style.bold(std::to_string(i + 1) + ". " + steps[i].title + ": ") << style.status(r.status) << "\n";
    for (const auto& l : lines) std::cout << l << "\n";
  }
  return out;
}

struct Matrix {
  std::map<std::string, std::map<std::string, LoginOutcome>> cells;  // cluster → setting → login
};

std::vector<std::unique_ptr<lab::RunningCluster>> start_clusters(const std::vector<lab::LabCluster>& clusters) {
  std::vector<std::unique_ptr<lab::RunningCluster>> running;
  for (const auto& c : clusters) {
    auto r = lab::RunningCluster::start(c);
    if (!r) throw std::runtime_error(r.error());
    running.push_back(std::move(*r));
  }
  return running;
}

// One proxy per cluster and setting: the clusters share names (cucm.steven.lab) on different
// addresses, as separate sites would, so each needs a hosts map of its own.
Matrix run_matrix(const LabDir& dir, const std::vector<std::unique_ptr<lab::RunningCluster>>& clusters,
                  const std::vector<Setting>& settings) {
  Matrix m;
  for (const auto& c : clusters) {
    auto base = lab_config(dir);
    c->configure_proxy(base);
    for (const auto& setting : settings) {
      auto config = base;
      apply(setting, config);
      auto proxy = proxy::InProcessProxy::start(config);
      if (!proxy) throw std::runtime_error(proxy.error());
      auto& p = **proxy;
      LogSource log = [&p] {
        p.log()->flush();
        return p.sink().lines();
      };
      m.cells[c->cluster().id][setting.label] = run_login("127.0.0.1", p.port(), c->login_target(kPublicName), log);
    }
  }
  return m;
}

std::string fix_of(const std::string& id) {
  for (const auto& row : lab::scenario_catalogue())
    if (row.id == id) return row.fix;
  return {};
}

void print_matrix(const Matrix& m, const std::vector<std::unique_ptr<lab::RunningCluster>>& clusters,
                  const std::vector<Setting>& settings, const Style& style) {
  std::cout << "\n" << style.bold("== An MRA login (UDS, TFTP 6972, IM&P, Unity) through the proxy, per cluster and setting") << "\n\n";
  const std::size_t width = 26;
  std::cout << std::string(width, ' ');
  for (std::size_t i = 0; i < settings.size(); ++i) std::cout << std::setw(5) << ("c" + std::to_string(i + 1));
  std::cout << "\n";
  for (const auto& c : clusters) {
    const auto& id = c->cluster().id;
    std::cout << id << std::string(width - std::min(width, id.size()), ' ');
    for (const auto& s : settings) std::cout << "  " << style.status(m.cells.at(id).at(s.label).status());
    std::cout << "\n";
  }
  std::cout << "\n";
  for (std::size_t i = 0; i < settings.size(); ++i)
    std::cout << "  c" << std::left << std::setw(3) << i + 1 << std::right << settings[i].label << "\n";

  // Why the X14.2 VerifyOriginServer On columns fail.
  bool header = false;
  bool any_verification_failure = false;
  std::vector<std::string> not_verification;  // clusters the workaround would not cure
  for (const auto& c : clusters) {
    const auto& id = c->cluster().id;
    for (const auto& s : settings) {
      if (s.version < config::Version{14, 2, 0} || s.verify != config::VerifyOriginServer::On) continue;
      const auto& login = m.cells.at(id).at(s.label);
      if (!login.first_failure) continue;
      if (!header) std::cout << "\n" << style.bold("== Why each login fails with X14.2 and VerifyOriginServer On, and the fix") << "\n";
      header = true;
      const auto& step = login.steps[*login.first_failure];
      std::cout << "\n" << style.bold(id) << " (" << s.label << ") — " << c->cluster().description << "\n"
                << "  first failing step: " << step.step.name << " (" << step.step.origin << ") -> " << step.status << "\n";
      for (const auto& l : step.reasons) std::cout << "  " << l << "\n";
      std::string fix = fix_of(id);
      std::cout << "  fix: " << (fix.empty() ? step.diagnosis.fix : fix) << "\n";
      if (logs::is_verification_failure(step.diagnosis.cause)) any_verification_failure = true;
      else {
        std::cout << "  VerifyOriginServer Off does not help here: this is not origin verification.\n";
        not_verification.push_back(id);
      }
      // Later steps that fail for another reason (a field cluster has several).
      std::vector<std::string> seen{step.diagnosis.summary};
      for (std::size_t i = *login.first_failure + 1; i < login.steps.size(); ++i) {
        const auto& later = login.steps[i];
        if (later.status == 200 || std::find(seen.begin(), seen.end(), later.diagnosis.summary) != seen.end()) continue;
        seen.push_back(later.diagnosis.summary);
        std::cout << "  also: " << later.step.name << " -> " << later.status << ": " << later.diagnosis.summary
                  << "\n        fix: " << later.diagnosis.fix << "\n";
      }
      if (id != "ecdsa-self-signed" && id != "ecdsa-self-signed-tls13") break;  // one preference is enough elsewhere
    }
  }
  if (any_verification_failure) {
    std::cout << "\n" << logs::kVerifyOffWorkaround;
    for (std::size_t i = 0; i < not_verification.size(); ++i)
      std::cout << (i == 0 ? " (it does not cure " : ", ") << not_verification[i];
    std::cout << (not_verification.empty() ? "" : ")") << "\n";
  }
}

nlohmann::json matrix_json(const Matrix& m, const std::vector<std::unique_ptr<lab::RunningCluster>>& clusters,
                           const std::vector<Setting>& settings) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : clusters) {
    const auto& id = c->cluster().id;
    nlohmann::json row{{"scenario", id}, {"description", c->cluster().description}, {"results", nlohmann::json::array()}};
    for (const auto& s : settings) {
      auto cell = login_json(m.cells.at(id).at(s.label));
      cell["setting"] = s.label;
      row["results"].push_back(cell);
    }
    rows.push_back(row);
  }
  return rows;
}

// Certificates and keys of every node, the trust store and a ready configuration, so that the
// same lab can be used with curl, openssl s_client or a real Expressway trust store.
void write_lab_files(const LabDir& dir, const std::vector<std::unique_ptr<lab::RunningCluster>>& clusters,
                     const config::Config& config) {
  const auto& ca = lab::LabAuthorities::shared();
  std::ofstream(dir.path / "trust" / "lab-intermediate.pem") << ca.intermediate.cert_pem();
  std::ofstream(dir.path / "unknown-root.pem") << ca.other_root.cert_pem();
  for (const auto& c : clusters) {
    auto nodes_dir = dir.path / "nodes" / c->cluster().id;
    fs::create_directories(nodes_dir);
    for (const auto& n : c->cluster().nodes) {
      int k = 0;
      for (const auto& cert : n.certificates) {
        auto base = nodes_dir / (n.fqdn + (k++ ? "-ecdsa" : ""));
        std::ofstream(base.string() + ".pem") << cert.leaf.cert_pem();
        std::ofstream(base.string() + ".key") << cert.leaf.key_pem();
      }
    }
  }
  std::ofstream(dir.path / "lab.yaml") << config::to_yaml(config);
}

int keep_running(const Options& o, const LabDir& dir, const std::vector<std::unique_ptr<lab::RunningCluster>>& clusters) {
  auto config = lab_config(dir);
  for (const auto& c : clusters) c->configure_proxy(config);
  config.listen.port = static_cast<std::uint16_t>(o.port);
  // The appliance's defaults unless --verify or --prefer say otherwise.
  Setting setting{"", config::VerifyOriginServer::On, o.prefer == "rsa", config::Version{14, 2, 0}};
  if (o.verify == "off") setting.verify = config::VerifyOriginServer::Off;
  if (o.verify == "log-only") setting.verify = config::VerifyOriginServer::LogOnly;
  setting.label = std::string("X14.2.0 ") + config::yaml_value(setting.verify) + (setting.rsa_first ? " RSA-first" : " ECDSA-first");
  apply(setting, config);
  write_lab_files(dir, clusters, config);
  auto log = logs::Log::open(config.log, config.expressway.system_name);
  if (!log) throw std::runtime_error(log.error());
  auto rt = proxy::Runtime::build(config, *log);
  if (!rt) throw std::runtime_error(rt.error());
  proxy::Server server(*rt);
  if (auto ok = server.listen(); !ok) throw std::runtime_error(ok.error());
  server.start();
  std::cout << "\nThe lab is up (" << setting.label << "). Proxy: http://127.0.0.1:"
            << server.port() << "  configuration: " << (dir.path / "lab.yaml").string() << (dir.scratch ? " (removed on exit)" : "")
            << "\nReproduce by hand:\n";
  for (const auto& c : clusters)
    for (const auto& l : c->listeners()) {
      const auto& node = c->cluster().nodes[l.node];
      std::string path = l.service == lab::Service::Uds ? "/cucm-uds/user/emusk/devices"
                         : l.service == lab::Service::Tftp ? "/CSFemusk.cnf.xml"
                         : l.service == lab::Service::ImAndPresence ? "/cup/presence"
                                                                    : "/vmrest/version";
      auto seg = mra::encode_segment({lab::kLabDomain, l.protocol, node.advertised, l.port, mra::is_ip_literal(node.advertised)});
      std::cout << "  [" << c->cluster().id << "] " << node.advertised << ":" << l.port << "  curl -s -o /dev/null -w '%{http_code}\\n' "
                << "http://127.0.0.1:" << server.port() << "/" << seg << path << "\n";
    }
  std::cout << "The proxy's lines follow. Ctrl-C stops the lab.\n" << std::flush;
  asio::io_context io;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code, int) { server.stop(); });
  std::thread waiter([&] { io.run(); });
  server.wait();
  io.stop();
  waiter.join();
  (*log)->flush();
  std::cout << "\nThe lab stopped.\n";
  return kOk;
}

int run_lab(const Options& o) {
  if (o.list) {
    for (const auto& row : lab::scenario_catalogue())
      std::cout << row.id << "\n  origin:   " << row.certificate << "\n  address:  " << row.address
                << "\n  X14.2:    " << row.expected << "\n";
    std::cout << "field-mix\n  a cluster as found in the field: publisher fine, subscriber advertised by IP, 6972 with a "
                 "self-signed tomcat-ECDSA, Unity with a missing intermediate\n";
    return kOk;
  }
  std::vector<lab::LabCluster> chosen;
  for (auto& c : lab::lab_clusters())
    if (o.scenario.empty() || c.id == o.scenario) chosen.push_back(std::move(c));
  if (chosen.empty()) {
    std::cerr << "mratls lab: unknown scenario '" << o.scenario << "' (mratls lab --list shows them)\n";
    return kUsage;
  }
  Style style{!o.json && isatty(STDOUT_FILENO) != 0};
  try {
    LabDir dir(o.out);
    auto settings = settings_for(o);
    nlohmann::json out;
    if (o.scenario.empty() && !o.keep_running) out["sequences"] = seed_sequences(dir, style, o.json);
    auto clusters = start_clusters(chosen);
    if (o.keep_running) return keep_running(o, dir, clusters);
    auto matrix = run_matrix(dir, clusters, settings);
    if (!o.out.empty()) {
      auto config = lab_config(dir);
      for (const auto& c : clusters) c->configure_proxy(config);
      write_lab_files(dir, clusters, config);
    }
    if (o.json) {
      out["matrix"] = matrix_json(matrix, clusters, settings);
      std::cout << out.dump(2) << "\n";
    } else {
      print_matrix(matrix, clusters, settings, style);
      if (!o.out.empty()) std::cout << "Lab files written to " << dir.path.string() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "mratls lab: " << e.what() << "\n";
    return kUsage;
  }
  return kOk;
}

}  // namespace

Action add_lab(CLI::App& app) {
  auto* cmd = app.add_subcommand("lab", "Run the built-in lab: mock CUCM/IM&P/Unity nodes, the proxy, an MRA login per cluster");
  auto o = std::make_shared<Options>();
  cmd->add_option("--scenario", o->scenario, "Only this scenario (see --list)");
  cmd->add_option("--verify", o->verify, "Only this VerifyOriginServer mode")->check(CLI::IsMember({"on", "off", "log-only"}));
  cmd->add_option("--prefer", o->prefer, "Only this cipher preference")->check(CLI::IsMember({"ecdsa", "rsa"}));
  cmd->add_option("--out", o->out, "Write the PKI (PEM), the trust store and a ready lab.yaml to this folder");
  cmd->add_flag("--keep-running", o->keep_running,
                "Leave the lab up behind one proxy (X14.2.0, VerifyOriginServer On, ECDSA-first unless --verify/--prefer) until Ctrl-C");
  cmd->add_option("--port", o->port, "The proxy's port with --keep-running")->check(CLI::Range(0, 65535))->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->add_flag("--list", o->list, "Describe the scenarios and exit");
  return [o]() { return run_lab(*o); };
}

}  // namespace mratls::cli
