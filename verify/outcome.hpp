// Why a request did not reach its origin, as values: the proxy, check, scan and the lab all
// produce and explain these, and nobody matches log text to recover them (scan, which only has
// the text, maps it back in one place: scan/outcome_text.cpp).
#pragma once

#include <string>
#include <variant>

namespace mratls::verify {

// X14.2's chain verification refused the origin ("Core server certificate verification failed").
struct ChainRefused {
  std::string name;        // the name checked: the SNI, or the remote IP for an IP literal
  int x509_error = 0;      // X509_V_ERR_*; 0 when only the text is known
  int depth = 0;
  std::string error_text;  // as logged
};

// Traffic Server's name check refused it ("SNI (...) not in certificate").
struct NameNotInCertificate {
  std::string name;
  bool ip = false;  // the node is advertised by IP address
};

// The origin refused Expressway-C's client certificate (tlsv1 alert unknown ca).
struct ClientCertificateRefused {
  std::string name;
};

// Another TLS failure: the handshake itself fails, before X14.2 too.
struct HandshakeFailed {
  std::string name;
  std::string text;
};

// No TCP connection (or no address), or the connection lost before a response.
struct NetworkFailure {
  std::string origin;  // host or host:port
  std::string text;
};

struct OriginTimeout {
  std::string origin;
};

// Not in the allow list (403).
struct Denied {};

using Outcome =
    std::variant<ChainRefused, NameNotInCertificate, ClientCertificateRefused, HandshakeFailed, NetworkFailure, OriginTimeout, Denied>;

}  // namespace mratls::verify
