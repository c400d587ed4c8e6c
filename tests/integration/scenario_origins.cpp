#include "scenario_origins.hpp"

#include <stdexcept>

namespace mratls::test {
namespace {

using namespace std::chrono;
using lab::CertSpec;
using lab::KeyType;

constexpr const char* kFqdn = "cucm.steven.lab";

CertSpec leaf(std::vector<std::string> dns, std::vector<std::string> ip = {}, std::string cn = kFqdn) {
  CertSpec s;
  s.common_name = std::move(cn);
  s.dns_sans = std::move(dns);
  s.ip_sans = std::move(ip);
  return s;
}

lab::OriginCertificate signed_by(const CertSpec& spec, const lab::Issued& ca, std::vector<const lab::Issued*> chain = {}) {
  lab::OriginCertificate c{lab::issue(spec, &ca), {}};
  for (const auto* extra : chain) c.chain.push_back(ossl::up_ref(extra->cert.get()));
  return c;
}

lab::OriginCertificate self_signed(const CertSpec& spec) { return {lab::issue(spec, nullptr), {}}; }

// tomcat (RSA, CA-signed) and tomcat-ECDSA (self-signed, CN <host>-EC), as CUCM holds them.
std::vector<lab::OriginCertificate> dual_tomcat(const LabPki& pki) {
  std::vector<lab::OriginCertificate> certs;
  certs.push_back(signed_by(leaf({kFqdn}), pki.root));
  CertSpec ec = leaf({kFqdn}, {}, std::string(kFqdn) + "-EC");
  ec.key_type = KeyType::EcdsaP256;
  certs.push_back(self_signed(ec));
  return certs;
}

}  // namespace

ScenarioOrigin scenario_origin(const std::string& id) {
  const auto& pki = LabPki::get();
  ScenarioOrigin s{id, kFqdn, {}};
  s.spec.name = id;
  auto& certs = s.spec.certificates;
  if (id == "ok-fqdn") {
    certs.push_back(signed_by(leaf({kFqdn}), pki.root));
  } else if (id == "self-signed") {
    certs.push_back(self_signed(leaf({kFqdn})));
  } else if (id == "unknown-ca") {
    certs.push_back(signed_by(leaf({kFqdn}), pki.other_intermediate, {&pki.other_intermediate}));
  } else if (id == "ip-not-in-san") {
    s.connect_host = "127.0.0.1";
    certs.push_back(signed_by(leaf({kFqdn}), pki.root));
  } else if (id == "ip-as-dns-san") {
    s.connect_host = "127.0.0.1";
    certs.push_back(signed_by(leaf({kFqdn, "127.0.0.1"}), pki.root));
  } else if (id == "ip-address-san") {
    s.connect_host = "127.0.0.1";
    certs.push_back(signed_by(leaf({kFqdn}, {"127.0.0.1"}), pki.root));
  } else if (id == "cn-fallback") {
    certs.push_back(signed_by(leaf({"other.steven.lab"}), pki.root));
  } else if (id == "ecdsa-self-signed") {
    certs = dual_tomcat(pki);
  } else if (id == "ecdsa-self-signed-tls13") {
    certs = dual_tomcat(pki);
    s.spec.tls13 = true;
  } else if (id == "missing-intermediate") {
    certs.push_back(signed_by(leaf({kFqdn}), pki.intermediate));
  } else if (id == "expired") {
    CertSpec spec = leaf({kFqdn});
    spec.not_before = -hours(24 * 30);
    spec.not_after = -hours(24);
    certs.push_back(signed_by(spec, pki.root));
  } else if (id == "untrusted-root-sent") {
    certs.push_back(signed_by(leaf({kFqdn}), pki.other_root, {&pki.other_root}));
  } else if (id == "wrong-host") {
    certs.push_back(signed_by(leaf({"imp.steven.lab"}, {}, "imp.steven.lab"), pki.root));
  } else {
    throw std::invalid_argument("unknown scenario " + id);
  }
  return s;
}

}  // namespace mratls::test
