// Certificates for labs and tests, generated in memory with OpenSSL: CAs, intermediates,
// RSA and ECDSA leaves with any names, validity and extensions, self-signed certificates.
#pragma once

#include <chrono>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "verify/ossl.hpp"

namespace mratls::lab {

enum class KeyType { Rsa2048, EcdsaP256, Rsa1024, Rsa4096, Rsa3072, EcdsaP384 };
enum class Digest { Sha256, Sha1 };

// An extension beyond the ones every certificate gets, in OpenSSL's configuration syntax
// ("critical,2.5.29.32.0" for a critical Certificate Policies, say).
struct ExtraExtension {
  int nid;
  std::string value;
};

struct CertSpec {
  std::string common_name;
  // Subject fields before the CN, in order.
  std::vector<std::pair<std::string, std::string>> subject_fields{{"O", "mratls lab"}};
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;
  KeyType key_type = KeyType::Rsa2048;
  bool is_ca = false;
  // Validity relative to now: the default is valid from an hour ago for a year.
  std::chrono::seconds not_before{-std::chrono::hours(1)};
  std::chrono::seconds not_after{std::chrono::hours(24 * 365)};
  // Extended Key Usage, Key Usage and Basic Constraints in OpenSSL's configuration syntax
  // ("serverAuth", "critical,keyCertSign", "critical,CA:TRUE,pathlen:0"). Unset: what the lab
  // gives a CA (no EKU), or a leaf of this key type (serverAuth and clientAuth); empty: no such
  // extension. A copy of a captured certificate sets all three as it found them.
  std::optional<std::string> ext_key_usage;
  std::optional<std::string> key_usage;
  std::optional<std::string> basic_constraints;
  Digest digest = Digest::Sha256;
  std::vector<ExtraExtension> extra_extensions;
};

// A certificate and its key. Copies share the OpenSSL objects (reference counts).
struct Issued {
  ossl::X509Ptr cert;
  ossl::PKeyPtr key;

  Issued() = default;
  Issued(ossl::X509Ptr c, ossl::PKeyPtr k) : cert(std::move(c)), key(std::move(k)) {}
  Issued(const Issued& other) : cert(ossl::up_ref(other.cert.get())), key(ossl::up_ref(other.key.get())) {}
  Issued& operator=(const Issued& other) {
    if (this != &other) *this = Issued(other);
    return *this;
  }
  Issued(Issued&&) = default;
  Issued& operator=(Issued&&) = default;

  std::string cert_pem() const;
  std::string key_pem() const;
};

// A fresh key of the type: one no other call in this process returns. Under MRATLS_KEY_CACHE
// (the tests) it may be one an earlier process made (lab/key_cache.hpp).
ossl::PKeyPtr generate_key(KeyType type);
// A key of the type shared by the whole process: generating RSA keys is slow, and reusing one
// changes nothing that verification looks at.
ossl::PKeyPtr shared_key(KeyType type);

// Signed by `issuer`, or self-signed when issuer is null. Uses `key` when given, else shared_key.
Issued issue(const CertSpec& spec, const Issued* issuer, ossl::PKeyPtr key = nullptr);

// A certificate signing request for the spec's subject and SANs, signed with `key`.
ossl::X509ReqPtr make_csr(const CertSpec& spec, EVP_PKEY* key);
std::string to_pem(X509_REQ* csr);

// A root CA, or an intermediate below `parent`.
Issued make_ca(const std::string& common_name, const Issued* parent = nullptr);

}  // namespace mratls::lab
