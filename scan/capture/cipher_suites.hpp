// Cipher suite numbers from a ClientHello or ServerHello, named as OpenSSL (and Expressway's
// cipher string) names them, and the question X14.2 troubleshooting turns on: did the client
// offer ECDSA suites before RSA ones, so that a node with both certificates presents ECDSA?
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "verify/cipher_preference.hpp"

namespace mratls::scan::capture {

std::string cipher_name(std::uint16_t suite);  // ECDHE-ECDSA-AES256-GCM-SHA384, or 0xc0ff when unknown

// The certificate a dual node presents to this ClientHello under TLS 1.2: that of the first
// TLS 1.2 suite offered with ECDSA or RSA authentication; nothing when it offers TLS 1.3 suites only.
std::optional<verify::CertificatePreference> cipher_preference(const std::vector<std::uint16_t>& offered);
// The certificate types those suites let a TLS 1.2 node present.
verify::Offered offered_authentication(const std::vector<std::uint16_t>& offered);

}  // namespace mratls::scan::capture
