#include "check/offline_verdict.hpp"

#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/doctor/chain_gap.hpp"
#include "verify/finding_outcomes.hpp"
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
    // Offline, nothing was negotiated: the fix speaks of TLS 1.2, where a cipher string can steer.
    std::vector<X509*> sent{leaf};
    sent.insert(sent.end(), untrusted.begin(), untrusted.end());
    v.facts.findings = verify::outcomes_of(v.findings, name, mra::is_ip_literal(name), {sent, false}, config::OpenSslText::Expressway,
                                           [&](verify::ChainRefused& refused) { verify::doctor::attach_chain_gap(refused, sent, trust); });
    v.facts.source = verify::Source::Chain;
    v.diagnosis = verify::diagnose(v.facts);
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
