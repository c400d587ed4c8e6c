// A replay as people read it (each origin, the site's answer above the lab's, then the summary
// and the fixes that heal) and as automation reads it (mratls.replay/1). Pure: values to text.
#pragma once

#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "replay/site_replay.hpp"
#include "replay/snapshot.hpp"

namespace mratls::replay {

void print_replay(const Snapshot& snapshot, const std::vector<SiteReplay>& replays, std::ostream& out);
nlohmann::json replay_json(const Snapshot& snapshot, const std::vector<SiteReplay>& replays);

// Every failing origin of every site reproduced.
bool all_reproduced(const std::vector<SiteReplay>& replays);

}  // namespace mratls::replay
