// site.yaml (schema mratls.site/1): a site model written down, so that a reproduction made from a
// customer's evidence (anonymized or not) runs again elsewhere with `mratls lab --site`. It holds
// what the replay reads and nothing else: the domains, the origins as addressed with their
// requests and lines, the settings and their evidence, and what captures showed of each chain.
#pragma once

#include <expected>
#include <string>

#include "replay/site_model.hpp"

namespace mratls::replay {

inline constexpr const char* kSiteSchema = "mratls.site/1";

std::string site_yaml(const SiteModel& site);

// Errors name the file, the line and the key at fault.
std::expected<SiteModel, std::string> load_site(const std::string& path);

}  // namespace mratls::replay
