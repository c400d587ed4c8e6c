#include "verify/cipher_preference.hpp"

#include <openssl/ssl.h>

#include "config/config.hpp"
#include "verify/ossl.hpp"

namespace mratls::verify {

const char* to_string(CertificatePreference p) { return p == CertificatePreference::Ecdsa ? "ECDSA" : "RSA"; }

std::expected<CertificatePreference, std::string> certificate_preference(std::string_view ciphers) {
  // OpenSSL reads the string exactly as the origin connection does: the order it builds is
  // the order offered.
  const std::string text(ciphers);
  if (text.empty()) return std::unexpected("the cipher string is empty");
  ossl::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return std::unexpected("OpenSSL could not make a TLS context");
  if (SSL_CTX_set_cipher_list(ctx.get(), text.c_str()) != 1)
    return std::unexpected("OpenSSL selects no TLS 1.2 cipher from '" + text + "'");
  STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx.get());
  for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(list, i);
    switch (SSL_CIPHER_get_auth_nid(cipher)) {
      case NID_auth_ecdsa: return CertificatePreference::Ecdsa;
      case NID_auth_rsa: return CertificatePreference::Rsa;
      default: break;  // TLS 1.3 suites (any), PSK and the like choose no certificate type
    }
  }
  return std::unexpected("'" + text + "' offers no TLS 1.2 cipher with ECDSA or RSA authentication");
}

std::expected<Offered, std::string> offered_authentication(std::string_view ciphers) {
  const std::string text(ciphers);
  ossl::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return std::unexpected("OpenSSL could not make a TLS context");
  if (text.empty() || SSL_CTX_set_cipher_list(ctx.get(), text.c_str()) != 1)
    return std::unexpected("OpenSSL selects no TLS 1.2 cipher from '" + text + "'");
  Offered offered;
  STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx.get());
  for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
    const int auth = SSL_CIPHER_get_auth_nid(sk_SSL_CIPHER_value(list, i));
    offered.ecdsa = offered.ecdsa || auth == NID_auth_ecdsa;
    offered.rsa = offered.rsa || auth == NID_auth_rsa;
  }
  return offered;
}

Preferring preferring(std::string_view ciphers, CertificatePreference want) {
  auto prefers = [want](std::string_view s) {
    const auto p = certificate_preference(s);
    return p && *p == want;
  };
  if (prefers(ciphers)) return {std::string(ciphers), ""};
  if (want == CertificatePreference::Rsa) {
    if (auto added = rsa_first(ciphers); prefers(added)) return {added, "the prefix added"};
    return {rsa_first(config::kDefaultCiphers), "back to the default string"};
  }
  if (auto removed = ecdsa_first(ciphers); prefers(removed)) return {removed, "the prefix removed"};
  return {std::string(config::kDefaultCiphers), "back to the default string"};
}

}  // namespace mratls::verify
