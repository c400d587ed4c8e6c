#include "verify/doctor/certificate_facts.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <iterator>

#include "verify/certificate_names.hpp"
#include "verify/ossl.hpp"

namespace mratls::verify::doctor {
namespace {

using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, ossl::Deleter<BASIC_CONSTRAINTS_free>>;
using ExtendedKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, ossl::Deleter<EXTENDED_KEY_USAGE_free>>;
using BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, ossl::Deleter<ASN1_BIT_STRING_free>>;

std::string hex(const unsigned char* data, std::size_t length, bool upper, const char* separator) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    if (i) out += separator;
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string digest_hex(const EVP_MD* md, const void* data, std::size_t length) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_length = 0;
  if (EVP_Digest(data, length, out, &out_length, md, nullptr) != 1) return {};
  return hex(out, out_length, false, "");
}

std::string object_name(const ASN1_OBJECT* object, bool short_name) {
  int nid = OBJ_obj2nid(object);
  if (nid != NID_undef) return short_name ? OBJ_nid2sn(nid) : OBJ_nid2ln(nid);
  char buf[128] = {};
  OBJ_obj2txt(buf, sizeof buf, object, 1);
  return buf;
}

std::vector<NameField> name_fields(const X509_NAME* name) {
  std::vector<NameField> out;
  for (int i = 0; name && i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    out.push_back({object_name(X509_NAME_ENTRY_get_object(entry), true), ossl::utf8(X509_NAME_ENTRY_get_data(entry)).value_or("")});
  }
  return out;
}

std::string name_text(const X509_NAME* name) {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  return ossl::drain(bio.get());
}

PublicKeyFacts key_facts(EVP_PKEY* key) {
  PublicKeyFacts facts;
  if (!key) return facts;
  const int id = EVP_PKEY_base_id(key);
  facts.type = id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "ECDSA" : OBJ_nid2sn(id);
  facts.bits = EVP_PKEY_bits(key);
  if (id == EVP_PKEY_RSA) {
    BIGNUM* n = nullptr;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1) {
      ossl::BignumPtr owned(n);
      char* text = BN_bn2hex(n);
      const std::string line = "Modulus=" + std::string(text) + "\n";
      OPENSSL_free(text);
      facts.modulus_md5 = digest_hex(EVP_md5(), line.data(), line.size());
    }
  } else if (id == EVP_PKEY_EC) {
    char group[80] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) == 1)
      facts.curve.assign(group, length);
  }
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length > 0) {
    facts.sha256 = digest_hex(EVP_sha256(), der, static_cast<std::size_t>(length));
    OPENSSL_free(der);
  }
  return facts;
}

std::time_t to_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

// The bits of the extension itself, in RFC 5280's order, named as OpenSSL's configuration names
// them so that a copy can ask for the same usage. Decoded from the extension rather than taken
// from X509_get_key_usage, which answers 0 for any certificate OpenSSL finds invalid.
std::vector<std::string> key_usage_names(const ASN1_BIT_STRING* usage) {
  static constexpr const char* kBits[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                          "dataEncipherment", "keyAgreement",   "keyCertSign",
                                          "cRLSign",          "encipherOnly",   "decipherOnly"};
  std::vector<std::string> names;
  for (int bit = 0; bit < static_cast<int>(std::size(kBits)); ++bit)
    if (ASN1_BIT_STRING_get_bit(usage, bit)) names.emplace_back(kBits[bit]);
  return names;
}

std::string key_id(const ASN1_OCTET_STRING* id) {
  return id ? hex(ASN1_STRING_get0_data(id), static_cast<std::size_t>(ASN1_STRING_length(id)), true, ":") : std::string{};
}

SubjectFacts subject_facts(const X509_NAME* subject, const CertificateNames& names, EVP_PKEY* key) {
  SubjectFacts f;
  f.subject_text = name_text(subject);
  f.subject = name_fields(subject);
  f.first_cn = names.first_cn;
  f.dns_sans = names.dns_sans;
  f.ip_sans = names.ip_sans;
  f.key = key_facts(key);
  return f;
}

}  // namespace

std::string iso_time(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

CertificateFacts certificate_facts(X509* cert) {
  CertificateFacts f;
  static_cast<SubjectFacts&>(f) =
      subject_facts(X509_get_subject_name(cert), certificate_names(cert), X509_get0_pubkey(cert));
  f.issuer_text = name_text(X509_get_issuer_name(cert));
  f.issuer = name_fields(X509_get_issuer_name(cert));

  const int signature = X509_get_signature_nid(cert);
  f.signature_algorithm = signature != NID_undef ? OBJ_nid2ln(signature) : "unknown";
  int digest = NID_undef, key_type = NID_undef;
  if (OBJ_find_sigid_algs(signature, &digest, &key_type) == 1 && digest != NID_undef) f.signature_digest = OBJ_nid2sn(digest);

  f.not_before = to_time(X509_get0_notBefore(cert));
  f.not_after = to_time(X509_get0_notAfter(cert));
  for (int i = 0; i < X509_get_ext_count(cert); ++i) {
    X509_EXTENSION* ext = X509_get_ext(cert, i);
    const ASN1_OBJECT* object = X509_EXTENSION_get_object(ext);
    f.extensions.push_back({object_name(object, false), object_name(object, true), X509_EXTENSION_get_critical(ext) == 1});
  }
  ExtendedKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  f.has_extended_key_usage = eku != nullptr;
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i)
    f.extended_key_usage.push_back(object_name(sk_ASN1_OBJECT_value(eku.get(), i), true));
  BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert, NID_basic_constraints, nullptr, nullptr)));
  f.has_basic_constraints = bc != nullptr;
  f.is_ca = bc && bc->ca;
  // A negative or oversized path length cannot be written again: it is left out of the facts.
  if (std::int64_t pathlen = 0; bc && bc->pathlen && ASN1_INTEGER_get_int64(&pathlen, bc->pathlen) == 1 && pathlen >= 0)
    f.path_length = static_cast<long>(pathlen);
  if (BitStringPtr usage(static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(cert, NID_key_usage, nullptr, nullptr))); usage) {
    f.has_key_usage = true;
    f.key_usage = key_usage_names(usage.get());
  }
  f.self_issued = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
  f.self_signed = X509_self_signed(cert, 1) == 1;
  f.subject_key_id = key_id(X509_get0_subject_key_id(cert));
  f.authority_key_id = key_id(X509_get0_authority_key_id(cert));

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), md, &length) == 1) f.sha256_fingerprint = hex(md, length, true, ":");
  return f;
}

RequestFacts request_facts(X509_REQ* request) {
  RequestFacts f;
  EVP_PKEY* key = X509_REQ_get0_pubkey(request);
  static_cast<SubjectFacts&>(f) = subject_facts(X509_REQ_get_subject_name(request), request_names(request), key);
  f.signature_valid = key && X509_REQ_verify(request, key) == 1;
  return f;
}

bool issued_by(const CertificateFacts& child, const CertificateFacts& parent) {
  if (child.issuer_text != parent.subject_text) return false;
  return child.authority_key_id.empty() || parent.subject_key_id.empty() || child.authority_key_id == parent.subject_key_id;
}

}  // namespace mratls::verify::doctor
