#include "lab/runner.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "lab/scenarios.hpp"
#include "mra/mra_path.hpp"
#include "proxy/blocking_client.hpp"
#include "lab/in_process.hpp"
#include "verify/cipher_preference.hpp"

namespace mratls::lab {
namespace {

std::string label_of(const Setting& s) {
  const std::string label = s.version.to_string() + " " + config::yaml_value(s.verify) + " " + verify::label(s.preference);
  return s.ciphers.empty() ? label : label + " ('" + s.ciphers + "')";
}

std::string absolute_get(const std::string& segment, const std::string& rest) {
  return "GET http://" + std::string(kLabPublicName) + ":8443/" + segment + rest + " HTTP/1.1\r\nHost: " +
         kLabPublicName + ":8443\r\n\r\n";
}

std::string segment_for(const std::string& protocol, const std::string& host, std::uint16_t port,
                        const std::string& domain = kLabDomain) {
  return mra::encode_segment({domain, protocol, host, port, mra::is_ip_literal(host)});
}

std::expected<std::vector<std::unique_ptr<RunningCluster>>, std::string> start_clusters(std::vector<LabCluster> clusters) {
  std::vector<std::unique_ptr<RunningCluster>> running;
  for (auto& c : clusters) {
    auto r = RunningCluster::start(std::move(c));
    if (!r) return std::unexpected(r.error());
    running.push_back(std::move(*r));
  }
  return running;
}

}  // namespace

std::vector<Setting> settings_matrix(const std::string& verify, const std::string& prefer) {
  std::vector<Setting> out;
  for (auto version : {config::Version{14, 0, 7}, config::Version{14, 2, 0}})
    for (auto mode : {config::VerifyOriginServer::On, config::VerifyOriginServer::LogOnly, config::VerifyOriginServer::Off})
      for (bool rsa : {false, true}) {
        if (!verify.empty() && verify != config::yaml_value(mode)) continue;
        if (!prefer.empty() && (prefer == "rsa") != rsa) continue;
        Setting s{"", mode, rsa ? verify::CertificatePreference::Rsa : verify::CertificatePreference::Ecdsa, version};
        s.label = label_of(s);
        out.push_back(std::move(s));
      }
  return out;
}

Setting single_setting(const std::string& verify, const std::string& prefer) {
  Setting s{"", config::VerifyOriginServer::On,
            prefer == "rsa" ? verify::CertificatePreference::Rsa : verify::CertificatePreference::Ecdsa, config::Version{14, 2, 0}};
  if (verify == "off") s.verify = config::VerifyOriginServer::Off;
  if (verify == "log-only") s.verify = config::VerifyOriginServer::LogOnly;
  s.label = label_of(s);
  return s;
}

std::expected<Setting, std::string> with_ciphers(Setting s, const std::string& ciphers) {
  const auto preference = verify::certificate_preference(ciphers);
  if (!preference) return std::unexpected(preference.error());
  s.ciphers = ciphers;
  s.preference = *preference;
  s.label = label_of(s);
  return s;
}

config::Config lab_config(const LabDir& dir) {
  config::Config c;
  c.source = "built-in lab";
  c.expressway.system_name = "vcsc";
  c.expressway.trusted_ca_certificates = {dir.trust_file()};
  c.expressway.server_certificate = dir.server_certificate();
  c.expressway.server_private_key = dir.server_private_key();
  c.listen.address = "127.0.0.1";
  c.listen.port = 0;
  c.listen.public_name = kLabPublicName;
  c.threads = 1;
  c.timeouts.handshake_ms = 2000;
  c.timeouts.origin_response_ms = 2000;
  return c;
}

void apply(const Setting& s, config::Config& c) {
  c.expressway.verify_origin_server = s.verify;
  c.expressway.version = s.version;
  c.expressway.ciphers = s.ciphers.empty() ? verify::preferring(c.expressway.ciphers, s.preference).ciphers : s.ciphers;
}

std::vector<SequenceStep> seed_sequences(const LabDir& dir, const LoopbackBlock& block) {
  const auto& ca = LabAuthorities::shared();
  const std::string node_ip = seed_address(block);
  CertSpec tomcat;
  tomcat.common_name = kLabCucm;
  tomcat.dns_sans = {kLabCucm};
  LabCluster seed{"seed", "the seed log's node", {}};
  LabNode node{kLabCucm, node_ip, kLabCucm, NodeRole::Cucm, {{issue(tomcat, &ca.root), {}}}, false};
  node.tftp_certificates = {{issue(tomcat, nullptr), {}}};
  seed.nodes.push_back(std::move(node));
  auto cluster = RunningCluster::start(std::move(seed));
  if (!cluster) throw std::runtime_error(cluster.error());
  auto config = lab_config(dir);
  (*cluster)->configure_proxy(config);
  config.servers.front().nodes.push_back(node_ip);
  auto proxy = lab::InProcessProxy::start(config);
  if (!proxy) throw std::runtime_error(proxy.error());

  struct Request {
    std::string title;
    std::string bytes;
  };
  const std::vector<Request> requests = {
      {"UDS devices on 8443, CA-signed tomcat certificate",
       absolute_get(segment_for("https", kLabCucm, 8443), "/cucm-uds/user/emusk/devices")},
      {"TFTP on 6972, self-signed certificate", absolute_get(segment_for("https", kLabCucm, 6972), "/CSFemusk.cnf.xml")},
      {"UDS by IP address (CUCM System > Server advertises " + node_ip + "), certificate names the FQDN only",
       absolute_get(segment_for("https", node_ip, 8443), "/cucm-uds/user/emusk/devices?max=100")},
  };
  std::vector<SequenceStep> out;
  std::size_t responses = 0;
  for (const auto& r : requests) {
    auto before = (*proxy)->sink().lines().size();
    proxy::BlockingClient client("127.0.0.1", (*proxy)->port());
    auto response = client.exchange(r.bytes);
    (*proxy)->wait_for_response(++responses);
    auto all = (*proxy)->sink().lines();
    out.push_back({r.title, response.status, {all.begin() + static_cast<long>(before), all.end()}});
  }
  return out;
}

std::expected<StartedLab, std::string> start_lab(const std::string& only, const std::optional<LoopbackBlock>& pinned) {
  const int candidates = pinned ? 1 : kCandidateBlocks;
  std::string busy;
  for (int i = 0; i < candidates; ++i) {
    const LabPlacement placement{pinned ? *pinned : candidate_block(i), only.empty()};
    auto clusters = lab_clusters(placement, only);
    // Only what this run listens on: a single scenario needs no port 443, for instance.
    std::vector<ListenPoint> points;
    if (only.empty()) points = listen_points(seed_address(placement.block), NodeRole::Cucm);
    for (const auto& c : clusters)
      for (const auto& n : c.nodes)
        for (auto& p : listen_points(n.ip, n.role)) points.push_back(std::move(p));
    if (const auto taken = first_busy(points)) {
      if (taken->error != EADDRINUSE)
        return std::unexpected("cannot listen on " + taken->where + ": " + std::strerror(taken->error) +
                               (taken->error == EACCES ? " (a port below 1024 needs root or CAP_NET_BIND_SERVICE)" : ""));
      busy = taken->where + " is in use";
    } else {
      auto running = start_clusters(std::move(clusters));
      if (running) return StartedLab{placement, std::move(*running)};
      // Taken between the probe and the listeners: another run starting at the same moment.
      if (running.error().find(std::strerror(EADDRINUSE)) == std::string::npos) return std::unexpected(running.error());
      busy = running.error();
    }
    if (pinned)
      return std::unexpected("--loopback " + placement.block.cidr() + ": " + busy +
                             " (another mratls lab in this block? leave --loopback out to take a free one)");
  }
  return std::unexpected("no free loopback block from " + candidate_block(0).cidr() + " to " +
                         candidate_block(kCandidateBlocks - 1).cidr() + " (the last tried: " + busy +
                         "; does something listen on 0.0.0.0 on a lab port, 443, 6970, 6972 or 8443?)");
}

Matrix run_matrix(const LabDir& dir, const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                  const std::vector<Setting>& settings) {
  Matrix m;
  for (const auto& c : clusters) {
    auto base = lab_config(dir);
    c->configure_proxy(base);
    for (const auto& setting : settings) {
      auto config = base;
      apply(setting, config);
      auto proxy = lab::InProcessProxy::start(config);
      if (!proxy) throw std::runtime_error(proxy.error());
      auto& p = **proxy;
      // The proxy's outcome store fits each fix to the cipher string this proxy runs with.
      m.cells[c->cluster().id][setting.label] = run_login("127.0.0.1", p.port(), c->login_target(kLabPublicName),
                                                          evidence_of(p), {}, setting.verify == config::VerifyOriginServer::LogOnly);
    }
  }
  return m;
}

std::string login_command(const RunningCluster& cluster, std::uint16_t proxy_port, std::uint16_t admin_port) {
  const auto t = cluster.login_target(kLabPublicName);
  std::string cmd = "mratls login --proxy 127.0.0.1:" + std::to_string(proxy_port) + " --admin 127.0.0.1:" +
                    std::to_string(admin_port) + " --cucm " + t.cucm;
  if (t.domain != kLabDomain) cmd += " --domain " + t.domain;
  // A publisher advertised by IP serves TFTP at that address, which --cucm alone would not reach.
  if (t.tftp != t.cucm) cmd += " --tftp " + t.tftp;
  if (!t.imp.empty()) cmd += " --imp " + t.imp;
  if (!t.unity.empty()) cmd += " --unity " + t.unity;
  return cmd;
}

std::string catalogue_fix(const std::string& cluster_id) {
  for (const auto& row : scenario_catalogue())
    if (row.id == cluster_id) return row.fix;
  return {};
}

KeptLab KeptLab::start(const LabDir& dir, const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                       const Setting& setting, std::uint16_t port, const std::string& log_file) {
  auto config = lab_config(dir);
  config.log.file = log_file;
  for (const auto& c : clusters) c->configure_proxy(config);
  config.listen.port = port;
  apply(setting, config);
  dir.write_lab_files(clusters, config);
  KeptLab lab;
  auto log = logs::Log::open(config.log, config.expressway.system_name);
  if (!log) throw std::runtime_error(log.error());
  lab.log_ = *log;
  auto rt = proxy::Runtime::build(config, lab.log_, lab.outcomes_);
  if (!rt) throw std::runtime_error(rt.error());
  lab.server_ = std::make_unique<proxy::Server>(*rt);
  if (auto ok = lab.server_->listen(); !ok) throw std::runtime_error(ok.error());
  lab.server_->start();
  return lab;
}

std::vector<std::string> KeptLab::reproduction_commands(const std::vector<std::unique_ptr<RunningCluster>>& clusters) const {
  std::vector<std::string> out;
  for (const auto& c : clusters)
    for (const auto& l : c->listeners()) {
      const auto& node = c->cluster().nodes[l.node];
      std::string path = l.service == Service::Uds             ? "/cucm-uds/user/emusk/devices"
                         : l.service == Service::Tftp          ? "/CSFemusk.cnf.xml"
                         : l.service == Service::ImAndPresence ? "/cup/presence"
                                                               : "/vmrest/version";
      out.push_back("[" + c->cluster().id + "] " + node.advertised + ":" + std::to_string(l.port) +
                    "  curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:" + std::to_string(server_->port()) + "/" +
                    segment_for(l.protocol, node.advertised, l.port, c->cluster().domain) + path);
    }
  return out;
}

}  // namespace mratls::lab
