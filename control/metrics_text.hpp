// GET /metrics in the Prometheus text exposition format (version 0.0.4): names end in
// _total for counters, label values escaped. Pure: a snapshot in, text out.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "proxy/metrics.hpp"

namespace mratls::control {

std::string prometheus_text(const proxy::MetricsSnapshot& m);

// The origin table of GET /api/state.
nlohmann::json origins_json(const std::vector<proxy::OriginStatus>& origins);

}  // namespace mratls::control
