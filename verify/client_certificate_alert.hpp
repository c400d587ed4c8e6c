// Which TLS alerts a node sends about Expressway-C's client certificate. Under TLS 1.2 they end
// the handshake; under TLS 1.3 the node reads the certificate after its own Finished, so they
// arrive on the first read. Pure: a reason code (or a line's text) in, the alert's words out.
#pragma once

#include <optional>
#include <string_view>

namespace mratls::verify {

struct ClientCertificateAlert {
  std::string_view words;     // "unknown ca", "certificate required", …
  bool none_presented = false;  // the alert says that no certificate came
};

// `ssl_reason` is ERR_GET_REASON of the error. `certificate_requested`: the node sent a
// CertificateRequest (always so for an alert after a TLS 1.3 handshake), which is what makes a
// handshake failure or "certificate unknown" about the client certificate.
std::optional<ClientCertificateAlert> client_certificate_alert(int ssl_reason, bool certificate_requested);

// The same read from a logged error text ("… tlsv13 alert certificate required"). A handshake
// failure is left out: a log line does not say whether a CertificateRequest came first.
std::optional<ClientCertificateAlert> client_certificate_alert_in(std::string_view text);

}  // namespace mratls::verify
