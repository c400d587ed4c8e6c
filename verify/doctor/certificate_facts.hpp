// What the certificate doctor looks at, read once from OpenSSL into plain values so that the
// match, lint and trust-store rules are pure functions over them.
#pragma once

#include <openssl/x509.h>

#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace mratls::verify::doctor {

// One relative distinguished name entry, as `openssl x509 -subject` names it ("CN", "O", "OU").
struct NameField {
  std::string field;
  std::string value;
  bool operator==(const NameField&) const = default;
};

struct PublicKeyFacts {
  std::string type;  // RSA | ECDSA | other
  int bits = 0;
  std::string curve;  // ECDSA: prime256v1, secp384r1, …
  // What engineers compare: `openssl x509 -noout -modulus | openssl md5` (lower-case hex of the
  // MD5 of the text "Modulus=<HEX>\n"). Empty for keys without a modulus.
  std::string modulus_md5;
  // SHA-256 of the DER SubjectPublicKeyInfo: the same for every key type.
  std::string sha256;
};

struct ExtensionFact {
  std::string name;  // long name, or the OID when OpenSSL has no name for it
  std::string short_name;
  bool critical = false;
};

// What a certificate and a CSR both carry: the subject, the requested or certified names, the key.
struct SubjectFacts {
  std::string subject_text;  // RFC 2253
  std::vector<NameField> subject;
  std::optional<std::string> first_cn;
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;
  PublicKeyFacts key;
};

struct CertificateFacts : SubjectFacts {
  std::string issuer_text;
  std::vector<NameField> issuer;
  std::string signature_algorithm;  // sha256WithRSAEncryption, ecdsa-with-SHA256, …
  std::string signature_digest;     // SHA256, SHA1, MD5, … (empty when the algorithm has none)
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  std::vector<ExtensionFact> extensions;
  bool has_extended_key_usage = false;
  std::vector<std::string> extended_key_usage;  // serverAuth, clientAuth, …
  bool has_key_usage = false;
  std::vector<std::string> key_usage;  // digitalSignature, keyEncipherment, keyCertSign, … (OpenSSL's names)
  bool has_basic_constraints = false;
  bool is_ca = false;                           // Basic Constraints CA:TRUE
  std::optional<long> path_length;              // Basic Constraints pathLenConstraint
  bool self_issued = false;                     // subject == issuer
  bool self_signed = false;                     // self-issued and its signature verifies with its own key
  std::string subject_key_id;                   // colon hex, empty when absent
  std::string authority_key_id;
  std::string sha256_fingerprint;  // colon hex, upper case, as the appliance shows it
};

struct RequestFacts : SubjectFacts {
  bool signature_valid = false;  // the CSR is signed by its own key
};

CertificateFacts certificate_facts(X509* cert);

// The longest chain the verifier builds: the leaf plus verify depth 7.
inline constexpr std::size_t kMaxChainDepth = 8;
// Issuer name and, where both carry them, key identifiers: what OpenSSL's issuer lookup compares
// before it checks the signature.
bool issued_by(const CertificateFacts& child, const CertificateFacts& parent);
RequestFacts request_facts(X509_REQ* request);

// ISO 8601 UTC ("2026-11-22T10:00:00Z").
std::string iso_time(std::time_t t);
// Its date alone: "2026-11-22".
inline std::string iso_day(std::time_t t) { return iso_time(t).substr(0, 10); }

}  // namespace mratls::verify::doctor
