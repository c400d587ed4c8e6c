#include "verify/ossl.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace mratls::ossl {

std::string take_error_text() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

std::optional<std::string> utf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int length = ASN1_STRING_to_UTF8(&out, s);
  if (length < 0) return std::nullopt;
  std::string text(reinterpret_cast<char*>(out), static_cast<std::size_t>(length));
  OPENSSL_free(out);
  return text;
}

PemCertificates read_pem_certificates(std::string_view pem) {
  PemCertificates out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ERR_clear_error();
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.certificates.emplace_back(cert);
  // The loop always ends in an error; only "no start line" means the input simply ran out.
  unsigned long err = ERR_peek_last_error();
  out.broken = err != 0 && !(ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE);
  ERR_clear_error();
  return out;
}

std::string to_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return drain(bio.get());
}

std::string to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return drain(bio.get());
}

std::optional<X509Ptr> from_der(std::string_view der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &bytes, static_cast<long>(der.size()));
  if (!cert) return std::nullopt;
  return X509Ptr(cert);
}

}  // namespace mratls::ossl
