// Which certificate a dual RSA/ECDSA origin presents is chosen by the cipher order Expressway
// offers (under TLS 1.2). Putting one RSA suite first is the field's workaround for an ECDSA
// certificate that X14.2 refuses; these are the one place that prefix is spelt.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace mratls::verify {

inline constexpr std::string_view kRsaFirstPrefix = "ECDHE-RSA-AES256-GCM-SHA384:";

inline bool is_rsa_first(std::string_view ciphers) { return ciphers.starts_with(kRsaFirstPrefix); }

// The cipher string without the prefix: the appliance's own (ECDSA-first) order.
inline std::string ecdsa_first(std::string_view ciphers) {
  return std::string(is_rsa_first(ciphers) ? ciphers.substr(kRsaFirstPrefix.size()) : ciphers);
}

inline std::string rsa_first(std::string_view ciphers) { return std::string(kRsaFirstPrefix) + ecdsa_first(ciphers); }

// The certificate a dual RSA/ECDSA origin presents under TLS 1.2 to a client offering this
// string: that of the first suite it lists with ECDSA or RSA authentication. Under TLS 1.3 the
// string does not decide it (the origin reads the signature algorithms, ECDSA first).
enum class CertificatePreference { Ecdsa, Rsa };
const char* to_string(CertificatePreference p);  // "ECDSA" | "RSA"

// An error when OpenSSL selects no TLS 1.2 suite with either from the string (empty, misspelt,
// or one that leaves out both).
std::expected<CertificatePreference, std::string> certificate_preference(std::string_view ciphers);

}  // namespace mratls::verify
