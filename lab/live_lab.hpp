// The kept lab behind an admin listener (`mratls lab --keep-running --admin-port`): the page
// lists the clusters, and POST /api/login {"cluster": "self-signed"} signs in to one through
// the proxy, each step published as a "login" event as it is answered.
#pragma once

#include <memory>
#include <vector>

#include "control/admin_listener.hpp"
#include "lab/running_cluster.hpp"
#include "lab/runner.hpp"

namespace mratls::lab {

void attach_lab(control::AdminListener& admin, KeptLab& kept, const std::vector<std::unique_ptr<RunningCluster>>& clusters);

}  // namespace mratls::lab
