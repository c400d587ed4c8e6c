// What a certificate says, as plain values: for reports (check, cert) and JSON.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <vector>

#include "verify/outcome.hpp"

namespace mratls::verify {

struct CertificateSummary {
  std::string subject;     // one-line, RFC 2253
  std::string subject_cn;  // first CN
  std::string issuer;
  std::string issuer_cn;
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;
  std::string key_type;  // RSA | ECDSA | other
  int key_bits = 0;
  std::string not_before;  // ISO 8601 UTC
  std::string not_after;
  std::string sha256;  // colon-separated hex, upper case
  bool self_signed = false;
  bool is_ca = false;
};

CertificateSummary summarize(X509* cert);

// What a fix needs to know of the certificate a node presented, and how it was negotiated.
PresentedLeaf presented_leaf(X509* cert, bool tls13);

}  // namespace mratls::verify
