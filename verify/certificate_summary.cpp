#include "verify/certificate_summary.hpp"

#include <openssl/x509v3.h>

#include "verify/doctor/certificate_facts.hpp"

namespace mratls::verify {

CertificateSummary summarize(X509* cert) {
  const auto f = doctor::certificate_facts(cert);
  CertificateSummary s;
  s.subject = f.subject_text;
  s.subject_cn = f.first_cn.value_or("");
  s.issuer = f.issuer_text;
  for (const auto& field : f.issuer)
    if (field.field == "CN") {
      s.issuer_cn = field.value;
      break;
    }
  s.dns_sans = f.dns_sans;
  s.ip_sans = f.ip_sans;
  s.key_type = f.key.type == "RSA" || f.key.type == "ECDSA" ? f.key.type : "other";
  s.key_bits = f.key.bits;
  s.not_before = doctor::iso_time(f.not_before);
  s.not_after = doctor::iso_time(f.not_after);
  s.sha256 = f.sha256_fingerprint;
  s.self_signed = f.self_signed;
  // Unlike the doctor's Basic Constraints reading, version 1 self-signed roots count as CAs here.
  s.is_ca = X509_check_ca(cert) > 0;
  return s;
}

PresentedLeaf presented_leaf(X509* cert, bool tls13) {
  auto s = summarize(cert);
  return {std::move(s.subject_cn), std::move(s.issuer_cn), s.key_type == "ECDSA", tls13, std::move(s.dns_sans),
          std::move(s.ip_sans), std::move(s.not_before), std::move(s.not_after)};
}

}  // namespace mratls::verify
