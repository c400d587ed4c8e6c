// The origins of DESIGN §10, built from the lab PKI.
#pragma once

#include "lab/mock_origin.hpp"
#include "support.hpp"

namespace mratls::test {

struct ScenarioOrigin {
  std::string id;
  std::string connect_host;  // "cucm.steven.lab" or "127.0.0.1"
  lab::MockOriginSpec spec;
};

ScenarioOrigin scenario_origin(const std::string& id);

}  // namespace mratls::test
