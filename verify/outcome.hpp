// Why a request did not reach its origin, as values: the proxy, check, scan and the lab all
// produce and explain these, and nobody matches log text to recover them (scan, which only has
// the text, maps it back in one place: scan/outcome_text.cpp).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mratls::verify {

// Where a refused chain breaks, read from the chain the node sent and the trust store (known
// wherever the chain is: the proxy, check, cert verify, a capture; never from a log line alone).
// One OpenSSL error, "unable to get local issuer certificate", covers cases with different fixes
// on different boxes; this tells them apart.
struct ChainGap {
  enum class Kind {
    RootNotTrusted,         // the node sends its chain up to a root the store lacks
    RekeyedCa,              // the store holds a CA (or self-signed certificate) of that name with another key
    IntermediateLeftOut,    // the node sends certificates above a missing intermediate
    IssuerNotTrusted,       // the node sends its certificate alone; the store lacks its issuer (root or intermediate)
    RootOfChainNotTrusted,  // the chain is complete up to a CA whose issuer, the root, the store lacks
  };
  Kind kind = Kind::IssuerNotTrusted;
  std::string certificate;     // CN of the certificate whose issuer is missing (the root itself for RootNotTrusted)
  std::string missing;         // CN of the certificate the store must hold
  std::string missing_key_id;  // its key identifier, from the Authority Key Identifier (or the root's own)
  std::string store_key_id;    // RekeyedCa: the key identifier of the same-name certificate in the store
  std::string store_source;    // RekeyedCa: which store entry that is
  bool node_certificate = false;  // RekeyedCa: the same-name certificate is the node's own, self-signed
  // IntermediateLeftOut: a root the node sends above the gap that the store lacks too ("CN (key id …)"),
  // without which sending the intermediate alone would not heal it.
  std::string root_also_missing;
  bool operator==(const ChainGap&) const = default;
};

// The certificate the node presented, when the verifier saw it (a log line does not carry it):
// the fix can then name it, and say whether the cipher string can steer the node away from it.
struct PresentedLeaf {
  std::string subject_cn;
  std::string issuer_cn;
  bool ecdsa = false;
  bool tls13 = false;  // negotiated TLS 1.3, where the cipher string does not choose the certificate
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;
  std::string not_before;  // ISO 8601 UTC
  std::string not_after;
  bool operator==(const PresentedLeaf&) const = default;
};

// X14.2's chain verification refused the origin ("Core server certificate verification failed").
struct ChainRefused {
  std::string name;        // the name checked: the SNI, or the remote IP for an IP literal
  int x509_error = 0;      // X509_V_ERR_*; 0 when only the text is known
  int depth = 0;
  std::string error_text;  // as logged
  std::optional<ChainGap> gap = std::nullopt;
  std::optional<PresentedLeaf> leaf = std::nullopt;
};

// Traffic Server's name check refused it ("SNI (...) not in certificate").
struct NameNotInCertificate {
  std::string name;
  bool ip = false;  // the node is advertised by IP address
  std::optional<PresentedLeaf> leaf = std::nullopt;
};

// The origin refused Expressway-C's client certificate, or asked for one and got none: an alert
// about the client certificate (unknown ca, certificate required, bad certificate, access
// denied, unsupported certificate, certificate unknown, or a handshake failure after the node's
// CertificateRequest).
struct ClientCertificateRefused {
  std::string name;
  std::string alert = "unknown ca";  // the alert's words, as OpenSSL writes them after "alert "
  bool presented = true;             // Expressway-C sent a certificate (false: it had none to send)
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

// The node asked for a client certificate and none was presented to it, yet the handshake went
// through (check without --client-cert): the appliance always presents its own, which the node
// may refuse; what it would do is not known.
struct ClientCertificateUntested {
  std::string name;
};

// A WARNING or ERROR line of the traffic server that states no outcome mratls knows (read from
// the lines only): a finding all the same.
struct OtherLine {
  std::string text;  // what it says, after "WARNING: " / "ERROR: "
};

using Outcome = std::variant<ChainRefused, NameNotInCertificate, ClientCertificateRefused, HandshakeFailed, NetworkFailure,
                             OriginTimeout, Denied, OtherLine, ClientCertificateUntested>;

}  // namespace mratls::verify
