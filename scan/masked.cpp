#include "scan/masked.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace mratls::scan {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_x(char c) { return c == 'x' || c == 'X'; }

constexpr std::array<std::string_view, 6> kMarkers = {"<CONCEALED>", "[REDACTED]", "<REDACTED>", "<masked>", "[masked]", "***"};

bool all_x(std::string_view label) {
  if (label.size() < 2) return false;
  for (char c : label)
    if (!is_x(c)) return false;
  return true;
}

// `pattern`'s runs of three or more x's match one or more characters of `value`: a wildcard
// match with one point to return to, linear in practice and never exponential.
bool glob_label(std::string_view pattern, std::string_view value) {
  if (all_x(pattern)) return !value.empty();
  std::string tokens;  // '*' a wildcard of one or more, '\0' then a character: that character
  for (std::size_t i = 0; i < pattern.size();) {
    std::size_t run = 0;
    while (i + run < pattern.size() && is_x(pattern[i + run])) ++run;
    if (run >= 3) {
      tokens += "?*";  // one character, then any number
      i += run;
      continue;
    }
    tokens += '\0';
    tokens += lower(pattern[i++]);
  }
  std::size_t t = 0, v = 0, star_t = std::string::npos, star_v = 0;
  while (v < value.size()) {
    if (t < tokens.size() && tokens[t] == '?') {
      ++t, ++v;
    } else if (t < tokens.size() && tokens[t] == '*') {
      star_t = ++t;
      star_v = v;
    } else if (t + 1 < tokens.size() && tokens[t] == '\0' && tokens[t + 1] == lower(value[v])) {
      t += 2, ++v;
    } else if (star_t != std::string::npos) {
      t = star_t;
      v = ++star_v;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t] == '*') ++t;
  return t == tokens.size();
}

bool glob_name(std::string_view pattern, std::string_view value) {
  for (;;) {
    const auto p = pattern.find('.'), v = value.find('.');
    if ((p == std::string_view::npos) != (v == std::string_view::npos)) return false;
    if (!glob_label(pattern.substr(0, p), value.substr(0, v))) return false;
    if (p == std::string_view::npos) return true;
    pattern.remove_prefix(p + 1);
    value.remove_prefix(v + 1);
  }
}

}  // namespace

bool is_masked(std::string_view value) {
  // Every mask has an x, a '<', a '[' or a '*': most values have none of them.
  if (std::ranges::none_of(value, [](char c) { return is_x(c) || c == '<' || c == '[' || c == '*'; })) return false;
  for (auto marker : kMarkers)
    if (value.find(marker) != std::string_view::npos) return true;
  std::size_t run = 0;
  for (char c : value) {
    run = is_x(c) ? run + 1 : 0;
    if (run >= 3) return true;
  }
  return is_masked_ip(value);
}

bool is_masked_ip(std::string_view value) {
  int parts = 0;
  bool masked = false;
  for (;;) {
    const auto dot = value.find('.');
    const auto part = value.substr(0, dot);
    if (part.empty() || part.size() > 3) return false;
    bool digits = true, xs = true;
    for (char c : part) digits = digits && c >= '0' && c <= '9', xs = xs && is_x(c);
    if (!digits && !xs) return false;
    masked = masked || xs;
    ++parts;
    if (dot == std::string_view::npos) break;
    value.remove_prefix(dot + 1);
  }
  return parts == 4 && masked;
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() == b.size()) {
    bool equal = true;
    for (std::size_t i = 0; i < a.size() && equal; ++i) equal = lower(a[i]) == lower(b[i]);
    if (equal) return true;
  }
  // Only a name with a run of x's can hide another; a DNS name is at most 253 characters, so a
  // longer text is compared as it is (and the match stays cheap).
  auto maskable = [](std::string_view n) {
    return n.size() <= 253 && (n.find("xx") != std::string_view::npos || n.find("XX") != std::string_view::npos ||
                               n.find("xX") != std::string_view::npos || n.find("Xx") != std::string_view::npos);
  };
  if (a.size() > 253 || b.size() > 253) return false;
  // A masked address hides an address, never a name of four labels.
  auto address = [](std::string_view n) {
    return is_masked_ip(n) || (!n.empty() && std::ranges::all_of(n, [](char c) { return c == '.' || (c >= '0' && c <= '9'); }));
  };
  if ((is_masked_ip(a) || is_masked_ip(b)) && !(address(a) && address(b))) return false;
  return (maskable(a) && glob_name(a, b)) || (maskable(b) && glob_name(b, a));
}

}  // namespace mratls::scan
