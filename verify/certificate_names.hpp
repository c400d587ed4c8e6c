#pragma once

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "verify/name_match.hpp"

namespace mratls::verify {

// Reads the dNSName and iPAddress SANs and the first CN of a certificate, of a CSR (its
// requested extensions), or of a SAN extension and a subject.
CertificateNames certificate_names(X509* cert);
CertificateNames request_names(X509_REQ* request);
CertificateNames names_of(const GENERAL_NAMES* sans, const X509_NAME* subject);

// Text of an IPv4/IPv6 address held in 4 or 16 bytes.
std::string ip_bytes_to_text(const unsigned char* data, int length);

}  // namespace mratls::verify
