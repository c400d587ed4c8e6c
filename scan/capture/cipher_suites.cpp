#include "scan/capture/cipher_suites.hpp"

#include <openssl/obj_mac.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <memory>

namespace mratls::scan::capture {
namespace {

const SSL_CIPHER* find(std::uint16_t suite) {
  // OpenSSL looks suites up through a connection object; one, never used to connect, serves.
  struct Lookup {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{SSL_CTX_new(TLS_method()), SSL_CTX_free};
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl{ctx ? SSL_new(ctx.get()) : nullptr, SSL_free};
  };
  static const Lookup lookup;
  if (!lookup.ssl) return nullptr;
  const unsigned char bytes[2] = {static_cast<unsigned char>(suite >> 8), static_cast<unsigned char>(suite)};
  return SSL_CIPHER_find(lookup.ssl.get(), bytes);
}

}  // namespace

std::string cipher_name(std::uint16_t suite) {
  if (const auto* c = find(suite)) return SSL_CIPHER_get_name(c);
  char text[8];
  std::snprintf(text, sizeof text, "0x%04x", suite);
  return text;
}

std::optional<verify::CertificatePreference> cipher_preference(const std::vector<std::uint16_t>& offered) {
  for (auto suite : offered) {
    const auto* c = find(suite);
    if (!c) continue;
    const int auth = SSL_CIPHER_get_auth_nid(c);
    if (auth == NID_auth_ecdsa) return verify::CertificatePreference::Ecdsa;
    if (auth == NID_auth_rsa) return verify::CertificatePreference::Rsa;
  }
  return std::nullopt;
}

verify::Offered offered_authentication(const std::vector<std::uint16_t>& offered) {
  verify::Offered out;
  for (auto suite : offered)
    if (const auto* c = find(suite)) {
      out.ecdsa = out.ecdsa || SSL_CIPHER_get_auth_nid(c) == NID_auth_ecdsa;
      out.rsa = out.rsa || SSL_CIPHER_get_auth_nid(c) == NID_auth_rsa;
    }
  return out;
}

}  // namespace mratls::scan::capture
