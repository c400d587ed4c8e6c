#pragma once

#include <openssl/x509.h>

#include "verify/name_match.hpp"

namespace mratls::verify {

// Reads the dNSName and iPAddress SANs and the first CN of a certificate.
CertificateNames certificate_names(X509* cert);

// Text of an IPv4/IPv6 address held in 4 or 16 bytes.
std::string ip_bytes_to_text(const unsigned char* data, int length);

}  // namespace mratls::verify
