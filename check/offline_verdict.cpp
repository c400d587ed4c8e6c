#include "check/offline_verdict.hpp"

#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/doctor/chain_gap.hpp"
#include "verify/trust_store.hpp"
#include "verify/x509_text.hpp"

namespace mratls::check {

OfflineVerdict verify_as_x14_2(X509* leaf, const std::vector<X509*>& untrusted, std::vector<ossl::X509Ptr> anchors,
                               const std::string& name, const std::string& ip, int security_level,
                               std::optional<std::time_t> at) {
  return verify_as_x14_2(leaf, untrusted, verify::TrustStore::from_certificates(std::move(anchors)), name, ip, security_level, at);
}

OfflineVerdict verify_as_x14_2(X509* leaf, const std::vector<X509*>& untrusted, const verify::TrustStore& trust,
                               const std::string& name, const std::string& ip, int security_level,
                               std::optional<std::time_t> at) {
  verify::OriginVerification verification({name, name, ip}, verify::Enforcement::LogOnly);
  OfflineVerdict v;
  v.accepted = verification.verify_offline(leaf, untrusted, trust, security_level, at);
  v.findings = verification.findings();
  v.identity = verification.identity();
  if (!v.accepted) {
    const auto& first = v.findings.front();
    // Offline, nothing was negotiated: the fix speaks of TLS 1.2, where a cipher string can steer.
    auto presented = verify::presented_leaf(leaf, false);
    verify::Outcome outcome = verify::NameNotInCertificate{name, mra::is_ip_literal(name), presented};
    if (first.kind == verify::Finding::Kind::Chain) {
      verify::ChainRefused refused{name, first.x509_error, first.depth,
                                   verify::x509_error_text(first.x509_error, config::OpenSslText::Expressway)};
      refused.leaf = std::move(presented);
      std::vector<X509*> sent{leaf};
      sent.insert(sent.end(), untrusted.begin(), untrusted.end());
      verify::doctor::attach_chain_gap(refused, sent, trust);
      outcome = std::move(refused);
    }
    v.diagnosis = verify::explain(outcome);
    v.lines.push_back(logs::verification_line(0, v.findings.front(), v.identity, verify::Enforcement::Enforce,
                                              config::OpenSslText::Expressway));
    v.lines.push_back(logs::ssl_failed_line(0, name, verify::certificate_verify_failed_text(config::OpenSslText::Expressway)));
  }
  for (const auto& f : v.findings)
    v.every_check_lines.push_back(
        logs::verification_line(0, f, v.identity, verify::Enforcement::LogOnly, config::OpenSslText::Expressway));
  return v;
}

}  // namespace mratls::check
