// The fix catalogue. A diagnosis is facts: every finding along the path, in the order the
// appliance meets them (the chain's every error, then the name, the client certificate, the
// handshake), with what is known around them (the certificate preference in force, the TLS
// version, where the facts came from). One renderer puts them into words once: the reason, and
// every fix needed in the order to apply them, each written knowing the others. Readers set
// facts; none edits a sentence. Pure: values in, values out.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verify/cipher_preference.hpp"
#include "verify/outcome.hpp"

namespace mratls::verify {

enum class Cause {
  None,
  SelfSigned,           // self signed certificate, depth 0
  UntrustedChain,       // the trust store lacks a CA of the chain: its root, or the issuer of a leaf sent alone
  MissingIntermediate,  // the node sends a chain with an intermediate left out (known from the chain only)
  RekeyedCa,            // the store holds a CA (or node certificate) of that name with another key
  Expired,
  NotYetValid,
  NameNotInCertificate,
  IpNotInCertificate,  // the same, for a node advertised by IP address
  ClientCertRejected,  // tlsv1 alert unknown ca
  TlsFailure,          // another handshake failure, or another certificate error
  ConnectFailure,      // no TLS cause: the network
  Denied,              // not in the allow list
  OriginTimeout,
  OtherWarning,        // a WARNING or ERROR line of the traffic server that names no known cause
  ClientCertUntested,  // the node asks for a client certificate that was not presented to it: the verdict is incomplete
  Last = ClientCertUntested,  // keep last: cause_from_string walks up to it
};

// Where the facts were learnt: the certificates themselves (the proxy, check, cert verify), a
// capture of the handshake, or the appliance's lines alone (scan, a replay without a capture).
enum class Source { Chain, Capture, Lines };

// What the other certificate of a dual RSA/ECDSA node does, where a second probe showed it.
enum class OtherCertificate { Unknown, Passes, RefusedToo };

struct Facts {
  Facts() = default;
  explicit Facts(std::vector<Outcome> found, CertificatePreference in_force = CertificatePreference::Ecdsa,
                 std::optional<bool> negotiated_tls13 = std::nullopt, Source from = Source::Lines)
      : findings(std::move(found)), preference(in_force), tls13(negotiated_tls13), source(from) {}

  std::vector<Outcome> findings;  // in the order the appliance meets them; the first is the one it logs
  CertificatePreference preference = CertificatePreference::Ecdsa;  // in force
  std::optional<bool> tls13;  // the negotiated version, when a capture or a handshake showed it
  Source source = Source::Lines;
  OtherCertificate other_certificate = OtherCertificate::Unknown;
  std::optional<std::time_t> judged_at;  // check --at: validity is judged at the date of the change
  bool passed_by_log_only = false;       // Action=Continue: what VerifyOriginServer On would refuse
  // The certificate types the cipher string in force (or the ClientHello a capture shows)
  // offers a TLS 1.2 node; unknown from the lines alone.
  std::optional<Offered> offered;
};

// The words, made once from the facts.
struct Diagnosis {
  Cause cause = Cause::None;  // the first finding's
  std::string summary;        // every finding's reason, in order
  std::vector<std::string> fixes;  // every fix needed, in the order to apply them
  std::string fix;                 // the same as one text
};

const char* to_string(Cause c);
// The cause to_string names ("rekeyed-ca"), or None for any other text.
Cause cause_from_string(std::string_view text);

// Whether X14.2's origin verification is what failed, so that VerifyOriginServer Off would let
// the request through (a refused client certificate, the network or the allow list: it would not).
bool is_verification_failure(Cause c);

// The renderer.
Diagnosis diagnose(const Facts& facts);
// One outcome, nothing else known: from the lines alone, ECDSA-first.
inline Diagnosis explain(const Outcome& outcome) { return diagnose(Facts{{outcome}}); }

// Whether the cause read from a failure's log lines agrees with the cause known from its chain:
// the lines cannot tell a re-keyed CA or a left-out intermediate from any CA the store lacks.
bool lines_agree(Cause from_lines, Cause from_chain);

// Said once, as a workaround and not a fix.
inline constexpr const char* kVerifyOffWorkaround =
    "Short-term workaround, not a fix: xConfiguration EdgeConfigServer VerifyOriginServer: Off";

}  // namespace mratls::verify
