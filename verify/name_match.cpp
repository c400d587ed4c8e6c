#include "verify/name_match.hpp"
#include "config/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace mratls::verify {
namespace {

bool label_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }

// Where the single usable '*' of a pattern is, or npos when the pattern must be compared
// literally: more than one star, a star outside the first label, inside an xn-- label, in the
// middle of its label ("f*o"), or fewer than two dots ("*.com").
std::size_t usable_star(std::string_view pattern) {
  auto star = pattern.find('*');
  if (star == std::string_view::npos || pattern.find('*', star + 1) != std::string_view::npos) return std::string_view::npos;
  auto first_dot = pattern.find('.');
  if (first_dot == std::string_view::npos || star > first_dot) return std::string_view::npos;
  auto label = pattern.substr(0, first_dot);
  if (ascii::istarts_with(label, "xn--")) return std::string_view::npos;
  if (star != 0 && star != first_dot - 1) return std::string_view::npos;
  if (std::count(pattern.begin(), pattern.end(), '.') < 2) return std::string_view::npos;
  for (char c : pattern)
    if (c != '*' && c != '.' && !label_char(c)) return std::string_view::npos;
  return star;
}

}  // namespace

bool pattern_matches(std::string_view pattern, std::string_view name) {
  if (pattern.empty() || name.empty()) return false;
  auto star = usable_star(pattern);
  if (star == std::string_view::npos) return ascii::iequals(pattern, name);

  auto prefix = pattern.substr(0, star);
  auto suffix = pattern.substr(star + 1);
  if (name.size() < prefix.size() + suffix.size()) return false;
  if (!ascii::istarts_with(name, prefix)) return false;
  if (!ascii::iequals(name.substr(name.size() - suffix.size()), suffix)) return false;

  auto covered = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  bool whole_label = prefix.empty() && suffix.front() == '.';
  if (whole_label && covered.empty()) return false;
  // A partial wildcard never matches an internationalised label.
  if (!whole_label && ascii::istarts_with(name, "xn--")) return false;
  if (covered == "*") return true;
  return std::all_of(covered.begin(), covered.end(), label_char);
}

NameMatch match_certificate_name(const CertificateNames& names, std::string_view name) {
  for (const auto& san : names.dns_sans)
    if (pattern_matches(san, name)) return NameMatch::DnsSan;
  if (names.first_cn && pattern_matches(*names.first_cn, name)) return NameMatch::CommonName;
  return NameMatch::NoMatch;
}

}  // namespace mratls::verify
