// A site model joined with what packet captures show of its origins (the same port, and the SNI,
// or the address for a node advertised by IP): the chain each node sent, the version it chose and
// the client's cipher preference. The chain names the certificate at fault, so the fix is the one
// the catalogue gives for it (the ECDSA certificate and TLS 1.3 cases included). Pure.
#pragma once

#include <vector>

#include "replay/site_model.hpp"
#include "scan/capture/capture_report.hpp"

namespace mratls::replay {

void attach_captures(SiteModel& site, const std::vector<scan::capture::OriginCapture>& captures);

// The origin's cause and fix from its lines, with the certificate its capture shows (again, after
// its names changed).
void diagnose(SiteOrigin& origin);

}  // namespace mratls::replay
