// Cipher suite numbers from a ClientHello or ServerHello, named as OpenSSL (and Expressway's
// cipher string) names them, and the question X14.2 troubleshooting turns on: did the client
// offer ECDSA suites before RSA ones, so that a node with both certificates presents ECDSA?
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mratls::scan::capture {

std::string cipher_name(std::uint16_t suite);  // ECDHE-ECDSA-AES256-GCM-SHA384, or 0xc0ff when unknown

// "ECDSA-first" or "RSA-first" by the first TLS 1.2 suite that names one of them; "TLS 1.3
// suites only" when there is none.
std::string cipher_preference(const std::vector<std::uint16_t>& offered);

}  // namespace mratls::scan::capture
