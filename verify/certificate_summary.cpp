#include "verify/certificate_summary.hpp"

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "verify/certificate_names.hpp"
#include "verify/ossl.hpp"

namespace mratls::verify {
namespace {

std::string name_text(X509_NAME* name) {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string first_cn(X509_NAME* name) {
  char buf[256] = {};
  if (X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof buf) < 0) return {};
  return buf;
}

std::string iso_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

CertificateSummary summarize(X509* cert) {
  CertificateSummary s;
  s.subject = name_text(X509_get_subject_name(cert));
  s.subject_cn = first_cn(X509_get_subject_name(cert));
  s.issuer = name_text(X509_get_issuer_name(cert));
  s.issuer_cn = first_cn(X509_get_issuer_name(cert));
  auto names = certificate_names(cert);
  s.dns_sans = names.dns_sans;
  s.ip_sans = names.ip_sans;
  EVP_PKEY* key = X509_get0_pubkey(cert);
  int id = key ? EVP_PKEY_base_id(key) : 0;
  s.key_type = id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "ECDSA" : "other";
  s.key_bits = key ? EVP_PKEY_bits(key) : 0;
  s.not_before = iso_time(X509_get0_notBefore(cert));
  s.not_after = iso_time(X509_get0_notAfter(cert));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  static const char* hex = "0123456789ABCDEF";
  for (unsigned i = 0; i < len; ++i) {
    if (i) s.sha256 += ':';
    s.sha256 += hex[md[i] >> 4];
    s.sha256 += hex[md[i] & 15];
  }
  s.self_signed = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
                  X509_verify(cert, key) == 1;
  s.is_ca = X509_check_ca(cert) > 0;
  return s;
}

}  // namespace mratls::verify
