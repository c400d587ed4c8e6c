// A TCP port as configurations and URLs write it: 1-65535 in decimal digits.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mratls::config {

inline std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value < 1 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace mratls::config
