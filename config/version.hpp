#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace mratls::config {

// An Expressway release such as X14.2.0 or X14.0.7.
struct Version {
  int major = 0;
  int minor = 0;
  int maintenance = 0;
  auto operator<=>(const Version&) const = default;
  std::string to_string() const;
};

// Accepts "X14.2.0", "x14.2", "14.2.1".
std::optional<Version> parse_version(std::string_view text);

}  // namespace mratls::config
