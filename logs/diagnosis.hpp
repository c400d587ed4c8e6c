// From the lines the traffic server wrote about a failure to its cause and the fix, in one
// sentence an engineer can act on.
#pragma once

#include <string>
#include <vector>

namespace mratls::logs {

enum class Cause {
  None,
  SelfSigned,          // self signed certificate, depth 0
  UntrustedChain,      // the chain leads to a CA the trust store lacks (depth > 0)
  MissingIntermediate, // unable to get local issuer certificate at depth 0: no chain sent
  Expired,
  NotYetValid,
  NameNotInCertificate,
  IpNotInCertificate,  // the same, for a node advertised by IP address
  ClientCertRejected,  // tlsv1 alert unknown ca
  TlsFailure,          // another handshake failure
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

// `lines` are the WARNING/ERROR/denial lines of one failed request, in order.
Diagnosis diagnose(const std::vector<std::string>& lines);

// Said once, as a workaround and not a fix.
inline constexpr const char* kVerifyOffWorkaround =
    "Short-term workaround, not a fix: xConfiguration EdgeConfigServer VerifyOriginServer: Off";

}  // namespace mratls::logs
