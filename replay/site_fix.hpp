// The changes a replay tries on the reproduced site (issue 22's what-if): one per fix the
// catalogue proposes for a reproduced cause, and VerifyOriginServer Off as the workaround.
// Pure: the shapes and diagnoses in, the candidate fixes out; the healing sets of the runs in,
// the shortest list that heals every origin out.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "replay/node_shape.hpp"
#include "replay/site_model.hpp"

namespace mratls::replay {

enum class FixKind {
  TrustNodeCertificate,   // upload a self-signed node certificate to the trust store
  TrustCa,                // upload the CA the chains lead to
  RenewCertificate,       // reissue the expired (or not yet valid) certificate
  AddNameToCertificate,   // reissue with the advertised name as a SAN
  AdvertiseFqdn,          // System > Server: the FQDN the certificate names instead of the IP
  TrustExpresswayOnNode,  // the node's tomcat-trust gets Expressway-C's CA
  SendIntermediate,       // the node sends the intermediate it leaves out
  RsaFirst,               // the cipher string offers RSA suites first, so CUCM presents tomcat (RSA)
  VerifyOff,              // the workaround, not a fix
};

struct SiteFix {
  FixKind kind = FixKind::TrustCa;
  std::vector<std::size_t> origins;  // the origins it changes (every one for VerifyOff)
  std::string text;                  // the catalogue's sentence
  bool workaround = false;
  std::string note;                  // what the lab assumed in trying it

  bool applies_to(std::size_t origin) const;
};

// The fixes worth trying, in the order of the origins they first touch; the workaround last.
// `shapes[i]` is how origin i was built; `dual[i]` whether its node was given an RSA certificate
// beside the ECDSA one the evidence shows (CUCM's tomcat and tomcat-ECDSA); `left_out[i]`
// whether its captured chain shows an intermediate left out.
struct NodeFacts {
  bool dual = false;
  bool left_out = false;
};
std::vector<SiteFix> candidate_fixes(const SiteModel& site, const std::vector<NodeShape>& shapes,
                                     const std::vector<NodeFacts>& facts = {});

// The sentence for the RSA-first change, which the catalogue gives only as an aside to a fix.
inline constexpr const char* kRsaFirstChange =
    "Put the RSA suites first in Expressway-C's cipher string (prefix ECDHE-RSA-AES256-GCM-SHA384:), so that CUCM "
    "presents its RSA certificate (tomcat) instead of tomcat-ECDSA; under TLS 1.3 the cipher string does not choose "
    "the certificate.";

const char* to_string(FixKind k);

// The fewest fixes whose healed origins together cover `troubled`: real fixes first, the
// workaround only for what no fix heals. `heals[f]` is what fix f healed alone. What nothing
// heals is left in `unhealed`.
struct HealingPlan {
  std::vector<std::size_t> fixes;  // indexes into the candidates, in candidate order
  std::set<std::size_t> unhealed;
};
HealingPlan shortest_healing(const std::vector<SiteFix>& fixes, const std::vector<std::set<std::size_t>>& heals,
                             const std::set<std::size_t>& troubled);

}  // namespace mratls::replay
