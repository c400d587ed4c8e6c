// The scenario catalogue (docs/architecture.md): for each, the certificates the origin presents and the
// address the cluster advertises for it.
#pragma once

#include <string>
#include <vector>

#include "lab/loopback.hpp"
#include "lab/mock_origin.hpp"
#include "lab/pki.hpp"

namespace mratls::lab {

// The lab's certificate authorities: a root the proxy trusts and its issuing CA, and a second
// hierarchy it does not trust. Generated once per process.
struct LabAuthorities {
  Issued root;
  Issued intermediate;
  Issued other_root;
  Issued other_intermediate;
  Issued rekeyed_root;  // named as `root`, with another key
  // Expressway-C's own server certificate (signed by the lab root), which the proxy presents
  // when a node asks for a client certificate.
  Issued expressway;

  static const LabAuthorities& shared();
};

inline constexpr const char* kLabDomain = "steven.lab";
inline constexpr const char* kLabCucm = "cucm.steven.lab";
inline constexpr const char* kLabExpresswayC = "vcsc.steven.lab";

struct ScenarioInfo {
  std::string id;
  std::string certificate;  // what the origin presents
  std::string address;      // how the cluster advertises the node
  std::string expected;     // with VerifyOriginServer On, X14.2
  std::string fix;          // one sentence: what to change so that X14.2 passes
};

const std::vector<ScenarioInfo>& scenario_catalogue();

// The clusters beyond the one-node scenarios, in the order lab_clusters() adds them.
struct ClusterInfo {
  std::string id;
  std::string description;
};
const std::vector<ClusterInfo>& cluster_catalogue();

struct ScenarioOrigin {
  std::string id;
  std::string connect_host;  // the FQDN, or the node's IP for the by-IP scenarios
  MockOriginSpec spec;
};

// `node_ip` is the loopback address the node listens on (and is advertised by, for by-IP rows);
// `fqdn` the node's name, whose domain the scenario's other names (wrong-host's) share.
ScenarioOrigin scenario_origin(const std::string& id, const std::string& node_ip = "127.0.0.1",
                               const std::string& fqdn = kLabCucm);

enum class NodeRole { Cucm, ImAndPresence, UnityConnection };

// One node of a lab cluster. A CUCM node serves UDS on 8443 and TFTP on 6970 (HTTP) and 6972;
// IM&P serves 8443 and Unity Connection 443.
struct LabNode {
  std::string fqdn;
  std::string ip;          // the loopback address it listens on
  std::string advertised;  // what the cluster advertises (System > Server): the FQDN or the IP
  NodeRole role = NodeRole::Cucm;
  // tomcat, and tomcat-ECDSA when there are two: presented on every port, 8443 and 6972 alike, as
  // CUCM presents its Tomcat certificates.
  std::vector<OriginCertificate> certificates;
  bool tls13 = false;  // CUCM speaks TLS 1.2 at most
  // 6972 asks for a client certificate signed by one of these (the node's tomcat-trust);
  // empty: it does not ask.
  std::vector<Issued> tftp_client_cas{};
  // The cluster's TFTP server, which the login asks for its configuration files (the first
  // CUCM node when none is).
  bool tftp = false;
  // On 6972 only, when it differs: what the note this project started from (TAC 218018) shows
  // of its own lab, 8443 passing and 6972 self-signed on one node. The seed sequences reproduce
  // that note; no scenario of the catalogue uses it.
  std::vector<OriginCertificate> tftp_certificates{};
};

struct LabCluster {
  std::string id;
  std::string description;
  std::vector<LabNode> nodes;  // the first CUCM node is the publisher
  std::string domain = kLabDomain;
};

// Where a run puts its clusters: the loopback block their nodes listen in, and whether each
// cluster has a domain of its own (<id>.steven.lab). Behind one proxy a name reaches one
// address, so clusters that run together need names of their own, or every command, login and
// page row for cucm.steven.lab would reach the same node.
struct LabPlacement {
  LoopbackBlock block = candidate_block(0);
  bool own_domains = false;

  std::string domain_of(const std::string& cluster_id) const;
};

// The ids of the scenarios and clusters, in catalogue order.
std::vector<std::string> lab_cluster_ids();

// A cluster per catalogue scenario (one CUCM node with the scenario's certificates), field-mix
// and the client-certificate clusters; only `only` when it is not empty. In the block, scenario
// i's node is .<11+i>, field-mix's nodes .201-.205, client-cert-6972 .211 and its TLS 1.3 twin
// .221, so that a cluster's addresses stay put when the catalogue grows.
std::vector<LabCluster> lab_clusters(const LabPlacement& placement = {}, const std::string& only = "");

// Where the seed log's node listens in a block.
std::string seed_address(const LoopbackBlock& block);

}  // namespace mratls::lab
