#include "lab/running_cluster.hpp"

#include <algorithm>

#include "config/mra_ports.hpp"

namespace mratls::lab {
namespace {

config::ServerType server_type(NodeRole role) {
  switch (role) {
    case NodeRole::Cucm: return config::ServerType::UnifiedCm;
    case NodeRole::ImAndPresence: return config::ServerType::ImAndPresence;
    case NodeRole::UnityConnection: return config::ServerType::UnityConnection;
  }
  return config::ServerType::UnifiedCm;
}

// A node listens on every port MRA reaches on its kind (config/mra_ports.hpp).
std::vector<config::MraPort> services_of(NodeRole role) {
  std::vector<config::MraPort> out;
  for (const auto& p : config::kMraPorts)
    if (p.type == server_type(role)) out.push_back(p);
  return out;
}

// The advertised address of the first CUCM node other than the publisher: where the users
// of the lab live. A one-node cluster is its own home.
// The user's home node: the last CUCM node that is not the cluster's dedicated TFTP server.
std::string home_node(const LabCluster& c) {
  std::string home;
  for (const auto& n : c.nodes)
    if (n.role == NodeRole::Cucm && (!n.tftp || home.empty())) home = n.advertised;
  return home;
}

}  // namespace

std::vector<ListenPoint> listen_points(const std::string& ip, NodeRole role) {
  std::vector<ListenPoint> out;
  for (const auto& svc : services_of(role)) out.push_back({ip, svc.port});
  return out;
}

std::expected<std::unique_ptr<RunningCluster>, std::string> RunningCluster::start(LabCluster cluster) {
  std::unique_ptr<RunningCluster> rc(new RunningCluster());
  const std::string& domain = cluster.domain;
  const std::string home = home_node(cluster);
  std::vector<std::string> cucm_servers;
  for (const auto& n : cluster.nodes)
    if (n.role == NodeRole::Cucm) cucm_servers.push_back(n.advertised);
  for (std::size_t i = 0; i < cluster.nodes.size(); ++i) {
    const auto& node = cluster.nodes[i];
    for (const auto& svc : services_of(node.role)) {
      MockOriginSpec spec;
      spec.name = node.fqdn + ":" + std::to_string(svc.port);
      spec.address = node.ip;
      spec.port = svc.port;
      spec.tls = svc.protocol == "https";
      spec.tls13 = node.tls13;
      if (spec.tls)
        spec.certificates = svc.port == config::kTftpHttpsPort && !node.tftp_certificates.empty() ? node.tftp_certificates : node.certificates;
      if (svc.port == config::kTftpHttpsPort) spec.client_certificate_cas = node.tftp_client_cas;
      NodeIdentity identity{svc.service, node.fqdn, domain, "14.0.1.12900-161", home, cucm_servers};
      spec.handler = [identity](const OriginRequest& req) { return mra_reply(identity, req); };
      auto origin = MockOrigin::start(std::move(spec));
      if (!origin)
        return std::unexpected(origin.error());
      rc->listeners_.push_back({i, svc.service, std::string(svc.protocol), svc.port, std::move(*origin)});
    }
  }
  rc->cluster_ = std::move(cluster);
  return rc;
}

void RunningCluster::configure_proxy(config::Config& config) const {
  config::OriginServer cucm{config::ServerType::UnifiedCm, "", true, {}};
  for (const auto& n : cluster_.nodes) {
    config.hosts[n.fqdn] = n.ip;
    switch (n.role) {
      case NodeRole::Cucm:
        if (cucm.address.empty()) cucm.address = n.fqdn;
        cucm.nodes.push_back(n.advertised);
        break;
      case NodeRole::ImAndPresence:
        config.servers.push_back({config::ServerType::ImAndPresence, n.fqdn, true, {n.advertised}});
        break;
      case NodeRole::UnityConnection:
        config.servers.push_back({config::ServerType::UnityConnection, n.fqdn, true, {n.advertised}});
        break;
    }
  }
  if (!cucm.address.empty()) {
    if (std::find(cucm.nodes.begin(), cucm.nodes.end(), cucm.address) == cucm.nodes.end()) cucm.nodes.push_back(cucm.address);
    config.servers.push_back(std::move(cucm));
  }
}

LoginTarget RunningCluster::login_target(const std::string& public_name, const std::string& user) const {
  LoginTarget t;
  t.domain = cluster_.domain;
  t.user = user;
  t.public_name = public_name;
  for (const auto& n : cluster_.nodes) {
    if (n.role == NodeRole::Cucm && n.tftp) t.tftp = n.advertised;
    if (n.role == NodeRole::Cucm && t.cucm.empty()) {
      t.cucm = n.fqdn;
      if (t.tftp.empty()) t.tftp = n.advertised;
    } else if (n.role == NodeRole::ImAndPresence && t.imp.empty()) {
      t.imp = n.advertised;
    } else if (n.role == NodeRole::UnityConnection && t.unity.empty()) {
      t.unity = n.advertised;
    }
  }
  // The home node is what clusterUser answers, as a client learns it: a login whose lookup
  // fails goes on at the publisher, as `mratls login` does, and both reach the same origins.
  return t;
}

}  // namespace mratls::lab
