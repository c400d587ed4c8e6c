#include "replay/reproduction.hpp"

#include <cctype>

#include "scan/masked.hpp"

namespace mratls::replay {
namespace {

std::string_view from(std::string_view line, std::string_view marker) {
  auto at = line.find(marker);
  return at == std::string_view::npos ? std::string_view{} : line.substr(at);
}

// A quoted field of an access line, as `Name="value"`.
std::string field(std::string_view line, std::string_view name) {
  const std::string key = std::string(name) + "=\"";
  auto at = line.find(key);
  if (at == std::string_view::npos) return {};
  auto end = line.find('"', at + key.size());
  return std::string(line.substr(at, end == std::string_view::npos ? std::string_view::npos : end + 1 - at));
}

bool address_like(std::string_view s) {
  if (s.empty()) return false;
  if (scan::is_masked_ip(s)) return true;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '.' && c != ':') return false;
  return true;
}

// "server=cucm.example.com(10.0.0.5)" → "server=cucm.example.com()": the lab's node is on loopback.
std::string without_addresses(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '(') {
      auto close = text.find(')', i);
      if (close != std::string_view::npos && address_like(text.substr(i + 1, close - i - 1)) && i > 0 &&
          text[i - 1] != ' ') {
        out += "()";
        i = close + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

// The same words, where a name the customer masked in the site's line matches the lab's name.
bool same_text(std::string_view site, std::string_view lab) {
  if (site == lab) return true;
  for (;;) {
    const auto s = site.find(' '), l = lab.find(' ');
    const auto a = site.substr(0, s), b = lab.substr(0, l);
    if (a != b && !(scan::is_masked(a) && scan::same_name(a, b))) return false;
    if (s == std::string_view::npos || l == std::string_view::npos) return s == l;
    site.remove_prefix(s + 1);
    lab.remove_prefix(l + 1);
  }
}

}  // namespace

std::string comparable(std::string_view line) {
  if (line.find("Event=\"Request Denied\"") != std::string_view::npos)
    return "Request Denied " + field(line, "Method") + " " + field(line, "Request");
  for (auto marker : {std::string_view("WARNING: "), std::string_view("ERROR: ")})
    if (auto rest = from(line, marker); !rest.empty()) return without_addresses(rest);
  return without_addresses(line);
}

Comparison compare(int site_status, const std::vector<std::string>& site_lines, int lab_status,
                   const std::vector<std::string>& lab_lines) {
  if (site_status != lab_status)
    return {false, "the site answered " + std::to_string(site_status) + ", the lab " + std::to_string(lab_status)};
  for (std::size_t i = 0; i < site_lines.size() || i < lab_lines.size(); ++i) {
    if (i >= lab_lines.size()) return {false, "the lab wrote no line for the site's '" + comparable(site_lines[i]) + "'"};
    if (i >= site_lines.size()) return {false, "the lab wrote a line the site did not: '" + comparable(lab_lines[i]) + "'"};
    const auto s = comparable(site_lines[i]), l = comparable(lab_lines[i]);
    if (!same_text(s, l)) return {false, "the site wrote '" + s + "', the lab '" + l + "'"};
  }
  return {true, {}};
}

}  // namespace mratls::replay
