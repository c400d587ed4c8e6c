#include "verify/x509_text.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/sslerr.h>
#include <openssl/x509_vfy.h>

#include <array>
#include <string_view>

namespace mratls::verify {
namespace {

// OpenSSL 1.1.1's x509_txt.c wording for the codes an origin can provoke.
constexpr std::array<std::string_view, 33> kOpenSsl111Texts = {
    "ok",
    "unspecified certificate verification error",
    "unable to get issuer certificate",
    "unable to get certificate CRL",
    "unable to decrypt certificate's signature",
    "unable to decrypt CRL's signature",
    "unable to decode issuer public key",
    "certificate signature failure",
    "CRL signature failure",
    "certificate is not yet valid",
    "certificate has expired",
    "CRL is not yet valid",
    "CRL has expired",
    "format error in certificate's notBefore field",
    "format error in certificate's notAfter field",
    "format error in CRL's lastUpdate field",
    "format error in CRL's nextUpdate field",
    "out of memory",
    "self signed certificate",
    "self signed certificate in certificate chain",
    "unable to get local issuer certificate",
    "unable to verify the first certificate",
    "certificate chain too long",
    "certificate revoked",
    "invalid CA certificate",
    "path length constraint exceeded",
    "unsupported certificate purpose",
    "certificate not trusted",
    "certificate rejected",
    "subject issuer mismatch",
    "authority and subject key identifier mismatch",
    "authority and issuer serial number mismatch",
    "key usage does not include certificate signing",
};

struct PackedText {
  int reason;
  std::string_view text;
};

// OpenSSL 1.1.1 packed the function into the code; 3.0 dropped it. These are the client-side
// handshake failures an origin provokes, in 1.1.1's words.
constexpr PackedText kOpenSsl111Ssl[] = {
    {SSL_R_CERTIFICATE_VERIFY_FAILED, "error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed"},
    {SSL_R_TLSV1_ALERT_UNKNOWN_CA, "error:14094418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca"},
    {SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, "error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure"},
    {SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, "error:14094412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate"},
    {SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE, "error:14094413:SSL routines:ssl3_read_bytes:sslv3 alert unsupported certificate"},
    {SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, "error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown"},
    {SSL_R_TLSV1_ALERT_ACCESS_DENIED, "error:14094419:SSL routines:ssl3_read_bytes:tlsv1 alert access denied"},
    {SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, "error:1409445C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required"},
    {SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, "error:1409442E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version"},
    {SSL_R_WRONG_VERSION_NUMBER, "error:1408F10B:SSL routines:ssl3_get_record:wrong version number"},
    {SSL_R_NO_PROTOCOLS_AVAILABLE, "error:141FC0BF:SSL routines:tls_setup_handshake:no protocols available"},
    {SSL_R_UNSUPPORTED_PROTOCOL, "error:1425F102:SSL routines:ssl_choose_client_version:unsupported protocol"},
};

}  // namespace

std::string x509_error_text(int code, config::OpenSslText style) {
  if (style == config::OpenSslText::Expressway && code >= 0 && code < static_cast<int>(kOpenSsl111Texts.size()))
    return std::string(kOpenSsl111Texts[static_cast<std::size_t>(code)]);
  return X509_verify_cert_error_string(code);
}

std::optional<int> x509_error_code(std::string_view text) {
  for (std::size_t code = 0; code < kOpenSsl111Texts.size(); ++code)
    if (kOpenSsl111Texts[code] == text) return static_cast<int>(code);
  // OpenSSL 3's codes run below 100 (X509_V_ERR_EC_KEY_EXPLICIT_PARAMS is 94).
  for (int code = 0; code < 128; ++code)
    if (text == X509_verify_cert_error_string(code)) return code;
  return std::nullopt;
}

std::string ssl_error_text(unsigned long code, config::OpenSslText style) {
  // The native texts need OpenSSL's string tables, which only an SSL initialisation loads.
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  if (style == config::OpenSslText::Expressway && ERR_GET_LIB(code) == ERR_LIB_SSL) {
    for (const auto& entry : kOpenSsl111Ssl)
      if (ERR_GET_REASON(code) == entry.reason) return std::string(entry.text);
  }
  if (code == 0) return "error:00000000:lib(0):func(0):reason(0)";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

std::string certificate_verify_failed_text(config::OpenSslText style) {
  return ssl_error_text(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED), style);
}

}  // namespace mratls::verify
