// A site replayed: each origin as the site answered and as the lab did, whether that is a
// reproduction, and which of the catalogue's fixes heal which reproduced origins, down to the
// shortest list that heals them all.
#pragma once

#include <expected>
#include <set>
#include <string>
#include <vector>

#include "replay/reproduction.hpp"
#include "replay/site_lab.hpp"

namespace mratls::replay {

struct OriginReplay {
  NodeShape shape;
  LabAnswer lab;
  Comparison comparison;
  std::vector<std::size_t> heals_with;  // the fixes (indexes) that heal it, each alone
};

struct SiteReplay {
  SiteModel site;
  SiteRun run;
  std::vector<OriginReplay> origins;  // as site.origins
  std::vector<SiteFix> fixes;         // tried, each alone
  HealingPlan plan;
  // The plan's fixes applied together: what they leave failing that they healed alone (empty
  // when they heal together what they heal apart).
  std::vector<std::size_t> plan_leaves;
  bool plan_tried = false;

  std::size_t troubled() const;
  std::size_t reproduced() const;  // of the troubled
  std::size_t passing() const;
  std::size_t passing_reproduced() const;
};

// How the lab builds each origin of the site, from its shown request's lines; an origin on a
// port below 1024 this process may not listen on is NoPort, and the rest are still replayed.
std::vector<NodeShape> shapes_of(const SiteModel& site);

// Whether the lab's answer is one the site would count as healed: a response, and no
// verification line (under log-only the request passes, with its warning).
bool passes(const LabAnswer& a);

std::expected<SiteReplay, std::string> replay_site(const SiteModel& site, SitePki& pki, const lab::LabDir& dir,
                                                   const ReplayLimits& limits = {});

}  // namespace mratls::replay
