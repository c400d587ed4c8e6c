// mratls lab: the built-in lab. Real TLS origins with the certificates that break MRA in the
// field, the real proxy in front, and what X14.2 does to each, side by side with the switches
// that change it.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "lab/scenarios.hpp"
#include "proxy/blocking_client.hpp"
#include "proxy/in_process.hpp"
#include "proxy/mra_path.hpp"

namespace mratls::cli {
namespace {

constexpr const char* kRsaFirstCiphers =
    "ECDHE-RSA-AES256-GCM-SHA384:EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:!aNULL:!aDH";
constexpr const char* kPublicName = "vcs_control.steven.lab";

struct Options {
  std::string scenario;
  std::string verify;  // on | off | log-only | "" (all)
  std::string prefer;  // ecdsa | rsa | "" (both)
  bool json = false;
  bool list = false;
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
        std::string v = verify == config::VerifyOriginServer::On ? "on" : verify == config::VerifyOriginServer::Off ? "off" : "log-only";
        if (!o.verify.empty() && o.verify != v) continue;
        if (!o.prefer.empty() && (o.prefer == "rsa") != rsa) continue;
        out.push_back({version.to_string().substr(0, 5) + " " + v + " " + (rsa ? "RSA" : "ECDSA"), verify, rsa, version});
      }
  return out;
}

// A scratch folder for the lab's trust store, removed when the lab ends.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    path = std::filesystem::temp_directory_path() / ("mratls-lab-" + std::to_string(getpid()));
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

config::Config lab_config(const std::string& trust_file) {
  config::Config c;
  c.source = "built-in lab";
  c.expressway.system_name = "vcsc";
  c.expressway.trusted_ca_certificates = {trust_file};
  c.listen.address = "127.0.0.1";
  c.listen.port = 0;
  c.listen.public_name = kPublicName;
  c.threads = 1;
  c.timeouts.handshake_ms = 2000;
  c.timeouts.origin_response_ms = 2000;
  return c;
}

std::string absolute_get(const std::string& segment, const std::string& rest) {
  return "GET http://" + std::string(kPublicName) + ":8443/" + segment + rest + " HTTP/1.1\r\nHost: " + kPublicName +
         ":8443\r\n\r\n";
}

struct Exchange {
  int status = 0;
  std::vector<std::string> lines;
};

Exchange replay(proxy::InProcessProxy& proxy, std::size_t& responses, const std::string& request) {
  auto before = proxy.sink().lines().size();
  proxy::BlockingClient client("127.0.0.1", proxy.port());
  auto r = client.exchange(request);
  proxy.wait_for_response(++responses);
  auto all = proxy.sink().lines();
  return {r.status, std::vector<std::string>(all.begin() + static_cast<long>(before), all.end())};
}

std::unique_ptr<lab::MockOrigin> start_origin(lab::MockOriginSpec spec, std::string& note) {
  auto wanted = spec.port;
  auto origin = lab::MockOrigin::start(spec);
  if (!origin && wanted != 0) {
    note = "(" + spec.address + ":" + std::to_string(wanted) + " was taken; using an ephemeral port)";
    spec.port = 0;
    origin = lab::MockOrigin::start(std::move(spec));
  }
  if (!origin) throw std::runtime_error(origin.error());
  return std::move(*origin);
}

// The three sequences of the seed log: a UDS request on 8443, TFTP on 6972 with a self-signed
// certificate, and a request to the node by IP address.
nlohmann::json seed_sequences(const std::string& trust_file, const Style& style, bool json) {
  const auto& ca = lab::LabAuthorities::shared();
  const std::string node_ip = "127.0.0.11";
  std::string note;

  lab::MockOriginSpec uds;
  uds.name = "cucm tomcat 8443";
  uds.address = node_ip;
  uds.port = 8443;
  lab::CertSpec tomcat;
  tomcat.common_name = lab::kLabCucm;
  tomcat.dns_sans = {lab::kLabCucm};
  uds.certificates.push_back({lab::issue(tomcat, &ca.root), {}});
  auto uds_origin = start_origin(std::move(uds), note);

  lab::MockOriginSpec tftp;
  tftp.name = "cucm tftp 6972";
  tftp.address = node_ip;
  tftp.port = 6972;
  tftp.certificates.push_back({lab::issue(tomcat, nullptr), {}});
  auto tftp_origin = start_origin(std::move(tftp), note);

  auto config = lab_config(trust_file);
  config.servers.push_back({config::ServerType::UnifiedCm, lab::kLabCucm, true, {lab::kLabCucm, node_ip}});
  config.hosts[lab::kLabCucm] = node_ip;
  for (auto port : {uds_origin->port(), tftp_origin->port()})
    if (port != 8443 && port != 6972)
      for (const auto& host : {std::string(lab::kLabCucm), node_ip})
        config.allow_list.push_back({"https://" + host + ":" + std::to_string(port) + "/", config::MatchType::Prefix, {"GET"}});
  auto proxy = proxy::InProcessProxy::start(config);
  if (!proxy) throw std::runtime_error(proxy.error());

  auto seg = [](const std::string& host, std::uint16_t port) {
    return proxy::encode_segment({lab::kLabDomain, "https", host, port, proxy::is_ip_literal(host)});
  };
  struct Step {
    std::string title;
    std::string request;
  };
  std::vector<Step> steps = {
      {"UDS devices on 8443, CA-signed tomcat certificate",
       absolute_get(seg(lab::kLabCucm, uds_origin->port()), "/cucm-uds/user/emusk/devices")},
      {"TFTP on 6972, self-signed certificate",
       absolute_get(seg(lab::kLabCucm, tftp_origin->port()), "/CSFemusk.cnf.xml")},
      {"UDS by IP address (CUCM System > Server advertises " + node_ip + "), certificate names the FQDN only",
       absolute_get(seg(node_ip, uds_origin->port()), "/cucm-uds/user/emusk/devices?max=100")},
  };
  nlohmann::json out = nlohmann::json::array();
  std::size_t responses = 0;
  if (!json) {
    std::cout << style.bold("== The seed log's three sequences, produced by the real proxy against real TLS origins") << "\n";
    if (!note.empty()) std::cout << note << "\n";
  }
  int n = 0;
  for (const auto& step : steps) {
    auto ex = replay(**proxy, responses, step.request);
    out.push_back({{"title", step.title}, {"status", ex.status}, {"lines", ex.lines}});
    if (json) continue;
    std::cout << "\n" << style.bold(std::to_string(++n) + ". " + step.title + ": ") << style.status(ex.status) << "\n";
    for (const auto& l : ex.lines) std::cout << l << "\n";
  }
  return out;
}

struct MatrixResult {
  std::map<std::string, std::map<std::string, int>> status;            // scenario → setting → status
  std::map<std::string, std::vector<std::string>> failing_lines;       // scenario → WARNING/ERROR lines (X14.2 On)
};

MatrixResult run_matrix(const std::string& trust_file, const std::vector<lab::ScenarioInfo>& rows,
                        const std::vector<Setting>& settings) {
  std::vector<std::unique_ptr<lab::MockOrigin>> origins;
  std::vector<std::pair<std::string, std::string>> requests;  // scenario → request
  auto base = lab_config(trust_file);
  base.hosts[lab::kLabCucm] = "127.0.0.1";
  for (const auto& row : rows) {
    auto def = lab::scenario_origin(row.id, "127.0.0.1");
    auto origin = lab::MockOrigin::start(std::move(def.spec));
    if (!origin) throw std::runtime_error(origin.error());
    auto port = (*origin)->port();
    base.allow_list.push_back({"https://" + def.connect_host + ":" + std::to_string(port) + "/cucm-uds/", config::MatchType::Prefix, {"GET"}});
    auto segment = proxy::encode_segment({lab::kLabDomain, "https", def.connect_host, port, proxy::is_ip_literal(def.connect_host)});
    requests.emplace_back(row.id, absolute_get(segment, "/cucm-uds/user/emusk/devices"));
    origins.push_back(std::move(*origin));
  }
  MatrixResult result;
  for (const auto& setting : settings) {
    auto config = base;
    config.expressway.verify_origin_server = setting.verify;
    config.expressway.version = setting.version;
    if (setting.rsa_first) config.expressway.ciphers = kRsaFirstCiphers;
    auto proxy = proxy::InProcessProxy::start(config);
    if (!proxy) throw std::runtime_error(proxy.error());
    std::size_t responses = 0;
    for (const auto& [id, request] : requests) {
      auto ex = replay(**proxy, responses, request);
      result.status[id][setting.label] = ex.status;
      if (ex.status != 200 && !result.failing_lines.contains(id))
        for (const auto& l : ex.lines)
          if (l.find("] WARNING:") != std::string::npos || l.find("] ERROR:") != std::string::npos)
            result.failing_lines[id].push_back(l);
    }
  }
  return result;
}

void print_matrix(const MatrixResult& m, const std::vector<lab::ScenarioInfo>& rows, const std::vector<Setting>& settings,
                  const Style& style) {
  std::cout << "\n" << style.bold("== DESIGN §10 scenarios: status of an MRA UDS request through the proxy") << "\n\n";
  std::size_t id_width = 24;
  std::cout << std::string(id_width, ' ');
  for (std::size_t i = 0; i < settings.size(); ++i) std::cout << " " << std::setw(4) << ("c" + std::to_string(i + 1));
  std::cout << "\n";
  for (const auto& row : rows) {
    std::cout << row.id << std::string(id_width - std::min(id_width, row.id.size()), ' ');
    for (const auto& s : settings) std::cout << "  " << style.status(m.status.at(row.id).at(s.label)) << "";
    std::cout << "\n";
  }
  std::cout << "\ncolumns:";
  for (std::size_t i = 0; i < settings.size(); ++i)
    std::cout << (i % 4 == 0 ? "\n  " : "   ") << "c" << i + 1 << " = " << settings[i].label;
  std::cout << "\n";

  bool header = false;
  for (const auto& row : rows) {
    auto it = m.failing_lines.find(row.id);
    if (it == m.failing_lines.end()) continue;
    if (!header) std::cout << "\n" << style.bold("== Why each failure fails, in the appliance's words, and the fix") << "\n";
    header = true;
    std::cout << "\n" << style.bold(row.id) << " — " << row.certificate << " (advertised by " << row.address << ")\n";
    for (const auto& l : it->second) std::cout << "  " << l << "\n";
    if (!row.fix.empty()) std::cout << "  fix: " << row.fix << "\n";
  }
  std::cout << "\nWorkaround, not a fix: xConfiguration EdgeConfigServer VerifyOriginServer: Off\n";
}

int run_lab(const Options& o) {
  const auto& catalogue = lab::scenario_catalogue();
  if (o.list) {
    for (const auto& row : catalogue)
      std::cout << row.id << "\n  origin:   " << row.certificate << "\n  address:  " << row.address
                << "\n  X14.2:    " << row.expected << "\n";
    return kOk;
  }
  std::vector<lab::ScenarioInfo> rows;
  for (const auto& row : catalogue)
    if (o.scenario.empty() || row.id == o.scenario) rows.push_back(row);
  if (rows.empty()) {
    std::cerr << "mratls lab: unknown scenario '" << o.scenario << "' (mratls lab --list shows them)\n";
    return kUsage;
  }
  Style style{!o.json && isatty(STDOUT_FILENO) != 0};
  try {
    ScratchDir scratch;
    auto trust_file = (scratch.path / "lab-root.pem").string();
    std::ofstream(trust_file) << lab::LabAuthorities::shared().root.cert_pem();
    nlohmann::json out;
    if (o.scenario.empty()) out["sequences"] = seed_sequences(trust_file, style, o.json);
    auto settings = settings_for(o);
    auto matrix = run_matrix(trust_file, rows, settings);
    if (o.json) {
      for (const auto& row : rows) {
        nlohmann::json r{{"scenario", row.id}, {"fix", row.fix}, {"results", nlohmann::json::array()}};
        for (const auto& s : settings) r["results"].push_back({{"setting", s.label}, {"status", matrix.status[row.id][s.label]}});
        if (matrix.failing_lines.contains(row.id)) r["lines"] = matrix.failing_lines[row.id];
        out["matrix"].push_back(r);
      }
      std::cout << out.dump(2) << "\n";
    } else {
      print_matrix(matrix, rows, settings, style);
    }
  } catch (const std::exception& e) {
    std::cerr << "mratls lab: " << e.what() << "\n";
    return kUsage;
  }
  return kOk;
}

}  // namespace

Action add_lab(CLI::App& app) {
  auto* cmd = app.add_subcommand("lab", "Run the built-in lab: mock CUCM origins, the proxy, and what X14.2 does to each");
  auto o = std::make_shared<Options>();
  cmd->add_option("--scenario", o->scenario, "Only this scenario (see --list)");
  cmd->add_option("--verify", o->verify, "Only this VerifyOriginServer mode")->check(CLI::IsMember({"on", "off", "log-only"}));
  cmd->add_option("--prefer", o->prefer, "Only this cipher preference")->check(CLI::IsMember({"ecdsa", "rsa"}));
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->add_flag("--list", o->list, "Describe the scenarios and exit");
  return [o]() { return run_lab(*o); };
}

}  // namespace mratls::cli
