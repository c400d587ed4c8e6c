// Which certificate a dual RSA/ECDSA origin presents is chosen by the cipher order Expressway
// offers (under TLS 1.2). Putting one RSA suite first is the field's workaround for an ECDSA
// certificate that X14.2 refuses; these are the one place that prefix is spelt.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace mratls::verify {

inline constexpr std::string_view kRsaFirstPrefix = "ECDHE-RSA-AES256-GCM-SHA384:";

// The prefix as text (what the upgrade prepends); which certificate a string prefers is
// certificate_preference's to say.
inline bool has_rsa_first_prefix(std::string_view ciphers) { return ciphers.starts_with(kRsaFirstPrefix); }

// The cipher string without the prefix: the appliance's own (ECDSA-first) order.
inline std::string ecdsa_first(std::string_view ciphers) {
  return std::string(has_rsa_first_prefix(ciphers) ? ciphers.substr(kRsaFirstPrefix.size()) : ciphers);
}

inline std::string rsa_first(std::string_view ciphers) { return std::string(kRsaFirstPrefix) + ecdsa_first(ciphers); }

// The certificate a dual RSA/ECDSA origin presents under TLS 1.2 to a client offering this
// string: that of the first suite it lists with ECDSA or RSA authentication. Under TLS 1.3 the
// string does not decide it (the origin reads the signature algorithms, ECDSA first).
enum class CertificatePreference { Ecdsa, Rsa };
const char* to_string(CertificatePreference p);  // "ECDSA" | "RSA"
// The name of a cipher order by the certificate it prefers: "ECDSA-first" | "RSA-first".
inline const char* label(CertificatePreference p) { return p == CertificatePreference::Ecdsa ? "ECDSA-first" : "RSA-first"; }
// A ClientHello with no TLS 1.2 suite that names either: its preference is the signature algorithms'.
inline constexpr const char* kTls13SuitesOnly = "TLS 1.3 suites only";
inline std::string label(const std::optional<CertificatePreference>& p) { return p ? label(*p) : kTls13SuitesOnly; }
// label's words read back (site.yaml); nothing for any other text.
inline std::optional<CertificatePreference> preference_from_label(std::string_view text) {
  if (text == label(CertificatePreference::Ecdsa)) return CertificatePreference::Ecdsa;
  if (text == label(CertificatePreference::Rsa)) return CertificatePreference::Rsa;
  return std::nullopt;
}

// An error when OpenSSL selects no TLS 1.2 suite with either from the string (empty, misspelt,
// or one that leaves out both).
std::expected<CertificatePreference, std::string> certificate_preference(std::string_view ciphers);

// The certificate types a ClientHello from this string lets a TLS 1.2 node present: whether it
// offers any TLS 1.2 suite with ECDSA authentication, and any with RSA ("…:!aRSA" offers no RSA
// one, so that a node with an RSA certificate only has nothing to answer with).
struct Offered {
  bool ecdsa = false;
  bool rsa = false;
  bool operator==(const Offered&) const = default;
};
std::expected<Offered, std::string> offered_authentication(std::string_view ciphers);

// A string that makes a dual origin present `want`: `ciphers` itself when it does already, else
// with the RSA-first prefix added or taken off, else (when the string's own terms, such as
// !ECDSA, :+ECDSA or !aRSA, keep its preference) the appliance's default, with the prefix for RSA.
struct Preferring {
  std::string ciphers;
  std::string how;  // "" (as it is) | "the prefix added" | "the prefix removed" | "back to the default string"
};
Preferring preferring(std::string_view ciphers, CertificatePreference want);

}  // namespace mratls::verify
