#pragma once

#include <string>

#include "config/config.hpp"

namespace mratls::config {

// The configuration as YAML that load_config_text reads back to the same values.
std::string to_yaml(const Config& config);

}  // namespace mratls::config
