#include "verify/client_certificate_alert.hpp"

#include <openssl/ssl.h>

namespace mratls::verify {
namespace {

struct Entry {
  int reason;
  std::string_view text;  // as in the error string, "alert " included
  ClientCertificateAlert alert;
  bool needs_request;     // about the client certificate only after a CertificateRequest
};

constexpr Entry kAlerts[] = {
    {SSL_R_TLSV1_ALERT_UNKNOWN_CA, "tlsv1 alert unknown ca", {"unknown ca", false}, false},
    {SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, "tlsv13 alert certificate required", {"certificate required", true}, false},
    {SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, "sslv3 alert bad certificate", {"bad certificate", false}, false},
    {SSL_R_TLSV1_ALERT_ACCESS_DENIED, "tlsv1 alert access denied", {"access denied", false}, false},
    {SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE, "sslv3 alert unsupported certificate", {"unsupported certificate", false}, false},
    {SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, "sslv3 alert certificate unknown", {"certificate unknown", false}, true},
    {SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, "sslv3 alert handshake failure", {"handshake failure", false}, true},
};

}  // namespace

std::optional<ClientCertificateAlert> client_certificate_alert(int ssl_reason, bool certificate_requested) {
  for (const auto& e : kAlerts)
    if (e.reason == ssl_reason && (certificate_requested || !e.needs_request)) return e.alert;
  return std::nullopt;
}

std::optional<ClientCertificateAlert> client_certificate_alert_in(std::string_view text) {
  for (const auto& e : kAlerts)
    if (!e.needs_request && text.find(e.text) != std::string_view::npos) return e.alert;
  return std::nullopt;
}

}  // namespace mratls::verify
