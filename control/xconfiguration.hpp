// The appliance's own command for the switch, as an administrator types it into the Expressway
// shell: `xConfiguration EdgeConfigServer VerifyOriginServer: Off`, and its read-back. Pure:
// text in, values out.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.hpp"

namespace mratls::control {

// xConfiguration EdgeConfigServer VerifyOriginServer: On|Off
struct SetVerifyOriginServer {
  config::VerifyOriginServer value = config::VerifyOriginServer::On;
};

// xConfiguration EdgeConfigServer [VerifyOriginServer]
struct ReadEdgeConfigServer {};

using XConfiguration = std::variant<SetVerifyOriginServer, ReadEdgeConfigServer>;

// Like the shell, words are case-insensitive and spaces around the colon do not matter; the
// value may be quoted. The error says which word is wrong and what would be right.
std::expected<XConfiguration, std::string> parse_xconfiguration(std::string_view command);

// `*c xConfiguration EdgeConfigServer VerifyOriginServer: "On"`
std::string read_back(config::VerifyOriginServer value);

}  // namespace mratls::control
