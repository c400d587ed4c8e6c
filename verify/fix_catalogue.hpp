// The fix catalogue: from an outcome to its cause and the fix, in one sentence an engineer can
// act on. Pure: values in, values out.
#pragma once

#include <string>
#include <string_view>

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
  Last = OtherWarning,  // keep last: cause_from_string walks up to it
};

struct Diagnosis {
  Cause cause = Cause::None;
  std::string summary;  // "self-signed certificate on cucm.steven.lab"
  std::string fix;
};

const char* to_string(Cause c);
// The cause to_string names ("rekeyed-ca"), or None for any other text.
Cause cause_from_string(std::string_view text);

// Whether X14.2's origin verification is what failed, so that VerifyOriginServer Off would let
// the request through (a refused client certificate, the network or the allow list: it would not).
bool is_verification_failure(Cause c);

Diagnosis explain(const Outcome& outcome);

// The fix as it stands under the settings in force: with the RSA-first cipher prefix already set,
// a node that still presents a self-signed certificate is not cured by that prefix (under TLS 1.3
// the cipher string does not choose the certificate, or its RSA certificate is self-signed too).
Diagnosis under_settings(Diagnosis d, bool rsa_first);

// The fix when the handshake is known to have been TLS 1.3 (a capture shows the ServerHello, not
// the certificate): the cipher prefix is not offered, since there it does not choose the certificate.
Diagnosis under_tls13(Diagnosis d);

// check's ECDSA-first row when its RSA-first probe is refused too: the prefix would not heal it.
Diagnosis rsa_certificate_refused_too(Diagnosis d);

// Whether the cause read from a failure's log lines agrees with the cause known from its chain:
// the lines cannot tell a re-keyed CA or a left-out intermediate from any CA the store lacks.
bool lines_agree(Cause from_lines, Cause from_chain);

// Said once, as a workaround and not a fix.
inline constexpr const char* kVerifyOffWorkaround =
    "Short-term workaround, not a fix: xConfiguration EdgeConfigServer VerifyOriginServer: Off";

}  // namespace mratls::verify
