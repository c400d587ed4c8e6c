#include "config/version.hpp"

#include <charconv>

namespace mratls::config {

std::string Version::to_string() const {
  return "X" + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(maintenance);
}

std::optional<Version> parse_version(std::string_view text) {
  if (!text.empty() && (text.front() == 'X' || text.front() == 'x')) text.remove_prefix(1);
  int parts[3] = {0, 0, 0};
  int count = 0;
  while (!text.empty()) {
    if (count == 3) return std::nullopt;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parts[count]);
    if (ec != std::errc{} || parts[count] < 0) return std::nullopt;
    ++count;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    if (text.empty()) break;
    if (text.front() != '.' || text.size() == 1) return std::nullopt;
    text.remove_prefix(1);
  }
  if (count < 2) return std::nullopt;
  return Version{parts[0], parts[1], parts[2]};
}

}  // namespace mratls::config
