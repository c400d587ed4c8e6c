#include "lab/scenarios.hpp"

#include <stdexcept>

namespace mratls::lab {
namespace {

using namespace std::chrono;

// The common name is the first DNS name unless another is given.
CertSpec leaf(std::vector<std::string> dns, std::vector<std::string> ip = {}, std::string cn = "") {
  CertSpec s;
  s.common_name = cn.empty() ? dns.front() : std::move(cn);
  s.dns_sans = std::move(dns);
  s.ip_sans = std::move(ip);
  return s;
}

OriginCertificate signed_by(const CertSpec& spec, const Issued& ca, std::vector<const Issued*> chain = {}) {
  OriginCertificate c{issue(spec, &ca), {}};
  for (const auto* extra : chain) c.chain.push_back(*extra);
  return c;
}

OriginCertificate self_signed(const CertSpec& spec) { return {issue(spec, nullptr), {}}; }

// Valid for a month, up to yesterday.
CertSpec expired(CertSpec spec) {
  spec.not_before = -hours(24 * 30);
  spec.not_after = -hours(24);
  return spec;
}

// CUCM names its ECDSA certificates after the host with -EC appended to the host name:
// cucm.steven.lab -> cucm-EC.steven.lab (what cert lint checks too).
std::string ecdsa_cn(const std::string& fqdn) {
  const auto dot = fqdn.find('.');
  return dot == std::string::npos ? fqdn + "-EC" : fqdn.substr(0, dot) + "-EC" + fqdn.substr(dot);
}

// tomcat (RSA, CA-signed) and tomcat-ECDSA (CN <host>-EC.<domain>), as CUCM holds them.
std::vector<OriginCertificate> dual_tomcat(const LabAuthorities& pki, const std::string& fqdn, bool ecdsa_self_signed) {
  std::vector<OriginCertificate> certs;
  certs.push_back(signed_by(leaf({fqdn}, {}, fqdn), pki.root));
  CertSpec ec = leaf({fqdn}, {}, ecdsa_cn(fqdn));
  ec.key_type = KeyType::EcdsaP256;
  certs.push_back(ecdsa_self_signed ? self_signed(ec) : signed_by(ec, pki.root));
  return certs;
}

}  // namespace

const LabAuthorities& LabAuthorities::shared() {
  static const LabAuthorities authorities = [] {
    LabAuthorities a;
    a.root = make_ca("mratls Lab Root CA");
    a.intermediate = make_ca("mratls Lab Issuing CA", &a.root);
    a.other_root = make_ca("Unknown Root CA");
    a.other_intermediate = make_ca("Unknown Issuing CA", &a.other_root);
    // The lab root generated anew: the same name, another key (a CA re-keyed, or a lab rebuilt).
    a.rekeyed_root = make_ca("mratls Lab Root CA");
    CertSpec expressway;
    expressway.common_name = kLabExpresswayC;
    expressway.dns_sans = {kLabExpresswayC};
    a.expressway = issue(expressway, &a.root);
    return a;
  }();
  return authorities;
}

const std::vector<ScenarioInfo>& scenario_catalogue() {
  static const std::vector<ScenarioInfo> rows = {
      {"ok-fqdn", "CA-signed RSA, SAN has the FQDN", "FQDN", "200", ""},
      {"self-signed", "self-signed RSA", "FQDN", "502, self signed certificate, depth=0", "Upload the node's self-signed tomcat certificate to the Expressway-C trust store, or have it signed by a CA the trust store holds."},
      {"unknown-ca", "signed by a CA not in the trust store, chain sent", "FQDN", "502, unable to get local issuer certificate, depth=1", "Upload the root the chain reaches (Unknown Root CA) to the Expressway-C trust store; the node sends the issuing CA itself."},
      {"ip-not-in-san", "CA-signed, SAN has the FQDN only", "IP", "502, SNI (ip) not in certificate", "Change CUCM System > Server to the node's FQDN (then refresh the servers on Expressway-C), or add the IP address as a DNS-type SAN."},
      {"ip-as-dns-san", "CA-signed, SAN has DNS:<ip> (as CUCM writes it)", "IP", "200", ""},
      {"ip-address-san", "CA-signed, SAN has IP:<ip> only for the address", "IP", "502, SNI (ip) not in certificate", "The traffic server never consults iPAddress SANs: add the address as a DNS-type SAN, or advertise the node by its FQDN."},
      {"cn-fallback", "CA-signed, SAN lists other names, CN is the FQDN", "FQDN", "200", ""},
      {"ecdsa-self-signed", "tomcat RSA CA-signed + tomcat-ECDSA self-signed, TLS 1.2 at most", "FQDN",
       "ECDSA-first: 502 depth=0; RSA-first: 200", "Have tomcat-ECDSA CA-signed (or trust it), or prefix the cipher string with ECDHE-RSA-AES256-GCM-SHA384: so that the RSA tomcat certificate is chosen."},
      {"ecdsa-self-signed-tls13", "the same dual origin, speaking TLS 1.3", "FQDN", "502 depth=0 under both preferences", "Have tomcat-ECDSA CA-signed or trust it: under TLS 1.3 the cipher-string workaround cannot steer the certificate."},
      {"missing-intermediate", "signed by an intermediate the origin does not send", "FQDN",
       "502, unable to get local issuer certificate, depth=0", "Upload the intermediate (mratls Lab Issuing CA) to the Expressway-C trust store, or make the node send its full chain."},
      {"expired", "CA-signed, expired", "FQDN", "502, certificate has expired, depth=0", "Renew the node's certificate."},
      {"untrusted-root-sent", "leaf + its self-signed root, root not trusted", "FQDN",
       "502, self signed certificate in certificate chain, depth=1", "Upload the root the node sends (Unknown Root CA) to the Expressway-C trust store, if it is trusted."},
      {"wrong-host", "CA-signed for another FQDN", "FQDN", "502, SNI (fqdn) not in certificate", "Reissue the certificate with the node's FQDN as a SAN, or advertise the node by a name the certificate holds."},
      {"intermediate-left-out", "signed by an intermediate; the origin sends its root but not the intermediate", "FQDN",
       "502, unable to get local issuer certificate, depth=0", "Make the node send its full chain (mratls Lab Issuing CA with its certificate), or upload mratls Lab Issuing CA to the Expressway-C trust store."},
      {"rekeyed-ca", "signed by a CA named as the trusted root (mratls Lab Root CA) but with another key", "FQDN",
       "502, unable to get local issuer certificate, depth=0", "Replace mratls Lab Root CA in the Expressway-C trust store with the re-keyed one (the key ids tell them apart)."},
      // Two findings on one node: one fix each, written knowing the other (issue 37).
      {"expired-wrong-host", "CA-signed for another FQDN, expired", "FQDN", "502, certificate has expired, depth=0 (then SNI (fqdn) not in certificate)",
       "Reissue the certificate with the node's FQDN as a SAN and a validity that covers today: renewing it as it is keeps the wrong name."},
      {"self-signed-expired", "self-signed RSA, expired", "FQDN", "502, self signed certificate, depth=0 (then certificate has expired)",
       "Regenerate the self-signed certificate, then upload the new one to the Expressway-C trust store: uploading the expired one heals nothing."},
      {"unknown-ca-wrong-host", "signed by a CA not in the trust store (chain sent), for another FQDN", "FQDN",
       "502, unable to get local issuer certificate, depth=1 (then SNI (fqdn) not in certificate)",
       "Upload the root the chain reaches (Unknown Root CA) to the Expressway-C trust store, and reissue the certificate with the node's FQDN as a SAN."},
  };
  return rows;
}

const std::vector<ClusterInfo>& cluster_catalogue() {
  static const std::vector<ClusterInfo> rows = {
      {"field-mix",
       "publisher fine; subscriber advertised by IP; the TFTP node's tomcat-ECDSA self-signed (8443 and 6972); Unity with a missing intermediate"},
      {"client-cert-6972", "6972 asks for Expressway-C's client certificate and does not trust its CA (tlsv1 alert unknown ca)"},
      {"client-cert-6972-tls13",
       "the same refusal of Expressway-C's client certificate on 6972, under TLS 1.3 (the alert comes after the handshake)"},
  };
  return rows;
}

namespace {

constexpr int kScenarioHost = 11;   // scenario i: .11+i
constexpr int kFieldMixHost = 201;  // .201-.205
constexpr int kClientCertHost = 211;
constexpr int kClientCert13Host = 221;
constexpr int kSeedHost = 5;

// The domain's own name for a host: "cucm1" in "field-mix.steven.lab".
std::string in(const std::string& domain, const std::string& host) { return host + "." + domain; }

LabCluster field_mix(const LabPlacement& p, const ClusterInfo& about) {
  // A cluster as found in the field: the publisher is fine, the subscriber is advertised by
  // IP, the TFTP node's tomcat-ECDSA is self-signed (on 8443 and 6972 alike, as CUCM presents
  // its Tomcat certificates), Unity misses an intermediate.
  const auto& pki = LabAuthorities::shared();
  LabCluster mix{about.id, about.description, {}, p.domain_of(about.id)};
  const auto& d = mix.domain;
  const std::string pub = in(d, "cucm1"), sub = in(d, "cucm2"), tftp = in(d, "tftp"), imp = in(d, "imp"), cuc = in(d, "cuc");
  const auto ip = [&](int n) { return p.block.address(kFieldMixHost + n); };
  mix.nodes.push_back({pub, ip(0), pub, NodeRole::Cucm, dual_tomcat(pki, pub, false), false});
  mix.nodes.push_back({sub, ip(1), ip(1), NodeRole::Cucm, {signed_by(leaf({sub}, {}, sub), pki.root)}, false});
  mix.nodes.push_back({imp, ip(2), imp, NodeRole::ImAndPresence, {signed_by(leaf({imp}, {}, imp), pki.root)}, true});
  mix.nodes.push_back({cuc, ip(3), cuc, NodeRole::UnityConnection, {signed_by(leaf({cuc}, {}, cuc), pki.intermediate)}, true});
  LabNode tftp_node{tftp, ip(4), tftp, NodeRole::Cucm, dual_tomcat(pki, tftp, true), false};
  tftp_node.tftp = true;
  mix.nodes.push_back(std::move(tftp_node));
  return mix;
}

// Not a verification failure: the node refuses Expressway-C, so VerifyOriginServer Off does
// not help. Its tomcat-trust holds another CA than the one that signed Expressway-C. Under
// TLS 1.3 the node reads Expressway-C's certificate after its own Finished, so the refusal
// arrives as an alert on the first read, not in the handshake.
LabCluster client_cert(const LabPlacement& p, const ClusterInfo& about, int host, bool tls13) {
  const auto& pki = LabAuthorities::shared();
  LabCluster client{about.id, about.description, {}, p.domain_of(about.id)};
  const std::string fqdn = in(client.domain, "cucm");
  LabNode node{fqdn, p.block.address(host), fqdn, NodeRole::Cucm, {signed_by(leaf({fqdn}, {}, fqdn), pki.root)}, tls13};
  node.tftp_client_cas = {pki.other_root};
  client.nodes.push_back(std::move(node));
  return client;
}

}  // namespace

std::string LabPlacement::domain_of(const std::string& cluster_id) const {
  return own_domains ? cluster_id + "." + kLabDomain : kLabDomain;
}

std::vector<std::string> lab_cluster_ids() {
  std::vector<std::string> ids;
  for (const auto& row : scenario_catalogue()) ids.push_back(row.id);
  for (const auto& row : cluster_catalogue()) ids.push_back(row.id);
  return ids;
}

std::vector<LabCluster> lab_clusters(const LabPlacement& p, const std::string& only) {
  // The scenarios' nodes must stay below the clusters' fixed addresses.
  if (kScenarioHost + scenario_catalogue().size() > static_cast<std::size_t>(kFieldMixHost))
    throw std::logic_error("the scenario catalogue outgrew the loopback block's layout (lab/scenarios.cpp)");
  std::vector<LabCluster> out;
  int index = 0;
  for (const auto& row : scenario_catalogue()) {
    const std::string ip = p.block.address(kScenarioHost + index++);
    if (!only.empty() && row.id != only) continue;
    const std::string domain = p.domain_of(row.id);
    auto origin = scenario_origin(row.id, ip, in(domain, "cucm"));
    LabNode node{in(domain, "cucm"), ip, origin.connect_host, NodeRole::Cucm, origin.spec.certificates, origin.spec.tls13};
    out.push_back({row.id, row.certificate + " (advertised by " + row.address + ")", {std::move(node)}, domain});
  }
  const auto& about = cluster_catalogue();
  if (only.empty() || only == about[0].id) out.push_back(field_mix(p, about[0]));
  if (only.empty() || only == about[1].id) out.push_back(client_cert(p, about[1], kClientCertHost, false));
  if (only.empty() || only == about[2].id) out.push_back(client_cert(p, about[2], kClientCert13Host, true));
  return out;
}

std::string seed_address(const LoopbackBlock& block) { return block.address(kSeedHost); }


ScenarioOrigin scenario_origin(const std::string& id, const std::string& node_ip, const std::string& fqdn) {
  const auto& pki = LabAuthorities::shared();
  const auto dot = fqdn.find('.');
  const std::string domain = dot == std::string::npos ? fqdn : fqdn.substr(dot + 1);
  ScenarioOrigin s{id, fqdn, {}};
  s.spec.name = id;
  s.spec.address = node_ip;
  auto& certs = s.spec.certificates;
  if (id == "ok-fqdn") {
    certs.push_back(signed_by(leaf({fqdn}), pki.root));
  } else if (id == "self-signed") {
    certs.push_back(self_signed(leaf({fqdn})));
  } else if (id == "unknown-ca") {
    certs.push_back(signed_by(leaf({fqdn}), pki.other_intermediate, {&pki.other_intermediate}));
  } else if (id == "ip-not-in-san") {
    s.connect_host = node_ip;
    certs.push_back(signed_by(leaf({fqdn}), pki.root));
  } else if (id == "ip-as-dns-san") {
    s.connect_host = node_ip;
    certs.push_back(signed_by(leaf({fqdn, node_ip}), pki.root));
  } else if (id == "ip-address-san") {
    s.connect_host = node_ip;
    certs.push_back(signed_by(leaf({fqdn}, {node_ip}), pki.root));
  } else if (id == "cn-fallback") {
    certs.push_back(signed_by(leaf({"other." + domain}, {}, fqdn), pki.root));
  } else if (id == "ecdsa-self-signed") {
    certs = dual_tomcat(pki, fqdn, true);
  } else if (id == "ecdsa-self-signed-tls13") {
    certs = dual_tomcat(pki, fqdn, true);
    s.spec.tls13 = true;
  } else if (id == "missing-intermediate") {
    certs.push_back(signed_by(leaf({fqdn}), pki.intermediate));
  } else if (id == "intermediate-left-out") {
    certs.push_back(signed_by(leaf({fqdn}), pki.intermediate, {&pki.root}));
  } else if (id == "rekeyed-ca") {
    certs.push_back(signed_by(leaf({fqdn}), pki.rekeyed_root));
  } else if (id == "expired") {
    certs.push_back(signed_by(expired(leaf({fqdn})), pki.root));
  } else if (id == "untrusted-root-sent") {
    certs.push_back(signed_by(leaf({fqdn}), pki.other_root, {&pki.other_root}));
  } else if (id == "wrong-host") {
    certs.push_back(signed_by(leaf({"imp." + domain}, {}, "imp." + domain), pki.root));
  } else if (id == "expired-wrong-host") {
    certs.push_back(signed_by(expired(leaf({"imp." + domain}, {}, "imp." + domain)), pki.root));
  } else if (id == "self-signed-expired") {
    certs.push_back(self_signed(expired(leaf({fqdn}))));
  } else if (id == "unknown-ca-wrong-host") {
    certs.push_back(signed_by(leaf({"imp." + domain}, {}, "imp." + domain), pki.other_intermediate, {&pki.other_intermediate}));
  } else {
    throw std::invalid_argument("unknown scenario " + id);
  }
  return s;
}

}  // namespace mratls::lab
