// How the lab builds an origin's node so that the traffic server fails on it as the site's did,
// read from the outcome its lines state. Pure: an outcome in, a shape out. The lines name the
// error and its depth, never the certificate itself, so a shape fixes only what they do say.
#pragma once

#include <optional>
#include <string>

#include "verify/outcome.hpp"

namespace mratls::replay {

enum class Build {
  CaSigned,         // a certificate for the name, under the CA the trust store holds
  SelfSigned,       // self signed certificate, depth 0
  UntrustedRoot,    // a chain up to a root the trust store lacks, sent or not
  Expired,          // the certificate at `depth` expired before the lines were written
  NotYetValid,      // the certificate at `depth` was not valid yet
  OtherName,        // trusted, but for another name than the one the cluster advertises
  RefusesClientCertificate,  // asks for Expressway-C's certificate and answers `unknown ca`
  NotListening,     // nothing listens: the connection is refused
  Stalls,           // accepts and never answers
  NotAllowed,       // not in the allow list: no server configured for it
  Unbuildable,      // nothing the lab can build fails this way; `reason` says why
  NoPort,           // the lab may not listen on the origin's port here (below 1024, no right to it)
};

struct NodeShape {
  Build build = Build::CaSigned;
  // Expired, NotYetValid: the depth of the certificate at fault. UntrustedRoot: the depth the
  // error names: the root's own when it is sent, else the topmost certificate sent.
  int depth = 0;
  bool root_sent = false;
  std::string reason;

  bool operator==(const NodeShape&) const = default;
};

// The shape for an origin whose shown request had this outcome (none: it passed).
NodeShape shape_of(const std::optional<verify::Outcome>& outcome);

const char* to_string(Build b);

}  // namespace mratls::replay
