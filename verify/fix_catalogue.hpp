// The fix catalogue: from an outcome to its cause and the fix, in one sentence an engineer can
// act on. Pure: values in, values out.
#pragma once

#include <string>

#include "verify/outcome.hpp"

namespace mratls::verify {

enum class Cause {
  None,
  SelfSigned,           // self signed certificate, depth 0
  UntrustedChain,       // the chain leads to a CA the trust store lacks (depth > 0)
  MissingIntermediate,  // unable to get local issuer certificate at depth 0: no chain sent
  Expired,
  NotYetValid,
  NameNotInCertificate,
  IpNotInCertificate,  // the same, for a node advertised by IP address
  ClientCertRejected,  // tlsv1 alert unknown ca
  TlsFailure,          // another handshake failure, or another certificate error
  ConnectFailure,      // no TLS cause: the network
  Denied,              // not in the allow list
  OriginTimeout,
};

struct Diagnosis {
  Cause cause = Cause::None;
  std::string summary;  // "self-signed certificate on cucm.steven.lab"
  std::string fix;
};

const char* to_string(Cause c);

// Whether X14.2's origin verification is what failed, so that VerifyOriginServer Off would let
// the request through (a refused client certificate, the network or the allow list: it would not).
bool is_verification_failure(Cause c);

Diagnosis explain(const Outcome& outcome);

// Said once, as a workaround and not a fix.
inline constexpr const char* kVerifyOffWorkaround =
    "Short-term workaround, not a fix: xConfiguration EdgeConfigServer VerifyOriginServer: Off";

}  // namespace mratls::verify
