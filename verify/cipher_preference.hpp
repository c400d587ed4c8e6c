// Which certificate a dual RSA/ECDSA origin presents is chosen by the cipher order Expressway
// offers (under TLS 1.2). Putting one RSA suite first is the field's workaround for an ECDSA
// certificate that X14.2 refuses; these are the one place that prefix is spelt.
#pragma once

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

}  // namespace mratls::verify
