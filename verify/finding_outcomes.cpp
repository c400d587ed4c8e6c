#include "verify/finding_outcomes.hpp"

#include <openssl/x509_vfy.h>

#include <algorithm>

#include "verify/certificate_summary.hpp"
#include "verify/x509_text.hpp"

namespace mratls::verify {

std::vector<Outcome> outcomes_of(const std::vector<Finding>& findings, const std::string& checked_name, bool name_is_ip,
                                 const PresentedChain& presented, config::OpenSslText style,
                                 const std::function<void(ChainRefused&)>& attach_gap) {
  std::optional<PresentedLeaf> leaf;
  if (!presented.certificates.empty() && presented.certificates.front())
    leaf = presented_leaf(presented.certificates.front(), presented.tls13);
  std::vector<Outcome> out;
  std::vector<Finding> seen;
  for (const auto& f : findings) {
    if (std::ranges::find(seen, f) != seen.end()) continue;
    seen.push_back(f);
    if (f.kind == Finding::Kind::Name) {
      out.push_back(NameNotInCertificate{checked_name, name_is_ip, leaf});
      continue;
    }
    ChainRefused refused{checked_name, f.x509_error, f.depth, x509_error_text(f.x509_error, style)};
    refused.leaf = leaf;
    if (attach_gap) attach_gap(refused);
    out.push_back(std::move(refused));
  }
  return out;
}

std::vector<Finding> every_finding(const OriginIdentity& identity, const PresentedChain& presented, const TrustStore& trust,
                                   int security_level) {
  if (presented.certificates.empty() || !presented.certificates.front()) return {};
  OriginVerification audit(identity, Enforcement::LogOnly);
  const std::vector<X509*> untrusted(presented.certificates.begin() + 1, presented.certificates.end());
  audit.verify_offline(presented.certificates.front(), untrusted, trust, security_level);
  return audit.findings();
}

}  // namespace mratls::verify
