#include "lab/pki.hpp"

#include "lab/key_cache.hpp"

#include <arpa/inet.h>
#include <openssl/conf.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <map>
#include <mutex>
#include <stdexcept>

namespace mratls::lab {
namespace {

// Generation failures are programming or resource errors in a lab, not user input.
void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("PKI: ") + what + ": " + ossl::take_error_text());
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  // Some extensions (Certificate Policies) are parsed through a configuration database even
  // when the value needs no section from it: give them an empty one.
  using ConfPtr = std::unique_ptr<CONF, ossl::Deleter<NCONF_free>>;
  ConfPtr conf(NCONF_new(nullptr));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509V3_set_nconf(&ctx, conf.get());
  ossl::X509ExtensionPtr ext(X509V3_EXT_nconf_nid(conf.get(), &ctx, nid, value.c_str()));
  require(ext != nullptr, "extension");
  require(X509_add_ext(cert, ext.get(), -1) == 1, "add extension");
}

std::string san_value(const CertSpec& spec) {
  std::string out;
  for (const auto& d : spec.dns_sans) out += (out.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& i : spec.ip_sans) out += (out.empty() ? "" : ",") + std::string("IP:") + i;
  return out;
}

void add_name_entry(X509_NAME* name, const std::string& field, const std::string& value) {
  require(X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                     -1, -1, 0) == 1,
          "subject field");
}

void fill_subject(X509_NAME* name, const CertSpec& spec) {
  for (const auto& [field, value] : spec.subject_fields) add_name_entry(name, field, value);
  if (!spec.common_name.empty()) add_name_entry(name, "CN", spec.common_name);
}

bool is_rsa(KeyType type) { return type != KeyType::EcdsaP256 && type != KeyType::EcdsaP384; }

const EVP_MD* digest_of(Digest d) { return d == Digest::Sha1 ? EVP_sha1() : EVP_sha256(); }

}  // namespace

std::string Issued::cert_pem() const { return ossl::to_pem(cert.get()); }
std::string Issued::key_pem() const { return ossl::to_pem(key.get()); }

namespace {

// What each key type is, in one place: how to make it, its size, and its name in the key cache.
struct KeyShape {
  std::string_view kind;
  int bits;
  const char* curve;  // null for RSA
};

KeyShape shape_of(KeyType type) {
  switch (type) {
    case KeyType::Rsa2048: return {"rsa2048", 2048, nullptr};
    case KeyType::Rsa1024: return {"rsa1024", 1024, nullptr};
    case KeyType::Rsa4096: return {"rsa4096", 4096, nullptr};
    case KeyType::Rsa3072: return {"rsa3072", 3072, nullptr};
    case KeyType::EcdsaP256: return {"p256", 256, "P-256"};
    case KeyType::EcdsaP384: return {"p384", 384, "P-384"};
  }
  return {"rsa2048", 2048, nullptr};
}

ossl::PKeyPtr make_key(const KeyShape& shape) {
  ossl::PKeyPtr key(shape.curve ? EVP_EC_gen(shape.curve) : EVP_RSA_gen(static_cast<unsigned>(shape.bits)));
  require(key != nullptr, "key generation");
  return key;
}

}  // namespace

ossl::PKeyPtr generate_key(KeyType type) {
  const KeyShape shape = shape_of(type);
  const auto folder = key_cache_folder();
  if (!folder) return make_key(shape);
  const auto fits = [shape](EVP_PKEY* key) {
    return EVP_PKEY_get_base_id(key) == (shape.curve ? EVP_PKEY_EC : EVP_PKEY_RSA) && EVP_PKEY_get_bits(key) == shape.bits;
  };
  return cached_key(*folder, shape.kind, fits, [shape] { return make_key(shape); });
}

ossl::PKeyPtr shared_key(KeyType type) {
  static std::mutex mutex;
  static std::map<KeyType, ossl::PKeyPtr> keys;
  std::lock_guard lock(mutex);
  auto& slot = keys[type];
  if (!slot) slot = generate_key(type);
  return ossl::up_ref(slot.get());
}

Issued issue(const CertSpec& spec, const Issued* issuer, ossl::PKeyPtr key) {
  if (!key) key = shared_key(spec.key_type);
  ossl::X509Ptr cert(X509_new());
  require(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);

  unsigned char serial_bytes[16];
  RAND_bytes(serial_bytes, sizeof serial_bytes);
  serial_bytes[0] &= 0x7f;
  ossl::BignumPtr serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));

  X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(spec.not_before.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(spec.not_after.count()));

  fill_subject(X509_get_subject_name(cert.get()), spec);
  X509* issuer_cert = issuer ? issuer->cert.get() : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert));
  require(X509_set_pubkey(cert.get(), key.get()) == 1, "set public key");

  add_extension(cert.get(), issuer_cert, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(cert.get(), issuer_cert, NID_authority_key_identifier, "keyid:always");
  const std::string constraints = spec.basic_constraints.value_or(spec.is_ca ? "critical,CA:TRUE" : "CA:FALSE");
  const std::string usage = spec.key_usage.value_or(spec.is_ca                 ? "critical,keyCertSign,cRLSign,digitalSignature"
                                                    : is_rsa(spec.key_type) ? "digitalSignature,keyEncipherment"
                                                                            : "digitalSignature");
  if (!constraints.empty()) add_extension(cert.get(), issuer_cert, NID_basic_constraints, constraints);
  if (!usage.empty()) add_extension(cert.get(), issuer_cert, NID_key_usage, usage);
  const std::string purposes = spec.ext_key_usage.value_or(spec.is_ca ? "" : "serverAuth,clientAuth");
  if (!purposes.empty()) add_extension(cert.get(), issuer_cert, NID_ext_key_usage, purposes);
  if (auto sans = san_value(spec); !sans.empty()) add_extension(cert.get(), issuer_cert, NID_subject_alt_name, sans);
  for (const auto& extra : spec.extra_extensions) add_extension(cert.get(), issuer_cert, extra.nid, extra.value);

  EVP_PKEY* signing_key = issuer ? issuer->key.get() : key.get();
  require(X509_sign(cert.get(), signing_key, digest_of(spec.digest)) > 0, "sign");
  return Issued{std::move(cert), std::move(key)};
}

ossl::X509ReqPtr make_csr(const CertSpec& spec, EVP_PKEY* key) {
  ossl::X509ReqPtr req(X509_REQ_new());
  require(req != nullptr, "X509_REQ_new");
  X509_REQ_set_version(req.get(), 0);
  fill_subject(X509_REQ_get_subject_name(req.get()), spec);
  require(X509_REQ_set_pubkey(req.get(), key) == 1, "CSR public key");
  if (auto sans = san_value(spec); !sans.empty()) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
    ossl::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, sans.c_str()));
    require(ext != nullptr, "CSR SAN");
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    sk_X509_EXTENSION_push(exts, ext.get());
    int ok = X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_free(exts);
    require(ok == 1, "CSR extensions");
  }
  require(X509_REQ_sign(req.get(), key, EVP_sha256()) > 0, "CSR signature");
  return req;
}

std::string to_pem(X509_REQ* csr) {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), csr);
  return ossl::drain(bio.get());
}

Issued make_ca(const std::string& common_name, const Issued* parent) {
  CertSpec spec;
  spec.common_name = common_name;
  spec.is_ca = true;
  spec.not_after = std::chrono::hours(24 * 365 * 5);
  // CAs get their own keys so that a CA and a leaf never share one.
  return issue(spec, parent, generate_key(KeyType::Rsa2048));
}

}  // namespace mratls::lab
