#include "scan/kv_fields.hpp"

#include <array>

#include "scan/wrapped_text.hpp"

namespace mratls::scan {
namespace {

// Every entry's every key passes here: one table lookup a byte.
constexpr auto kKeyChars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[static_cast<std::size_t>(c)] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                                     c == '_' || c == '.' || c == wrapped::kBreak;
  return t;
}();

bool key_char(char c) { return kKeyChars[static_cast<unsigned char>(c)]; }

}  // namespace

KvFields::KvFields(std::string_view s) {
  fields_.reserve(16);
  std::size_t i = 0;
  while (i < s.size()) {
    if (!key_char(s[i]) || s[i] == wrapped::kBreak) {
      ++i;
      continue;
    }
    const std::size_t key_begin = i;
    while (i < s.size() && key_char(s[i])) ++i;
    std::size_t key_end = i;
    while (key_end > key_begin && s[key_end - 1] == wrapped::kBreak) --key_end;
    // "Detail= "Peer's…"": a space after '=' as Expressway's tvcs writes it.
    std::size_t eq = i;
    if (eq >= s.size() || s[eq] != '=') continue;  // a word, not a field
    std::size_t v = eq + 1;
    if (v < s.size() && s[v] == ' ' && v + 1 < s.size() && s[v + 1] == '"') ++v;
    const auto key = s.substr(key_begin, key_end - key_begin);
    if (v < s.size() && s[v] == '"') {
      std::size_t end = s.find('"', v + 1);
      // A quote the writer escaped (\") is inside the value.
      while (end != std::string_view::npos && s[end - 1] == '\\') end = s.find('"', end + 1);
      if (end == std::string_view::npos) end = s.size();
      fields_.emplace_back(key, s.substr(v + 1, std::min(end, s.size()) - v - 1));
      i = end + 1;
    } else {
      std::size_t end = v;
      while (end < s.size() && s[end] != ' ' && s[end] != wrapped::kBreak) ++end;
      fields_.emplace_back(key, s.substr(v, end - v));
      i = end;
    }
  }
}

bool KvFields::key_is(std::string_view written, std::string_view key) {
  std::size_t k = 0;
  for (char c : written) {
    if (c == wrapped::kBreak) continue;
    if (k >= key.size() || c != key[k]) return false;
    ++k;
  }
  return k == key.size();
}

std::optional<std::string_view> KvFields::raw(std::string_view key) const {
  for (const auto& [k, v] : fields_)
    if (key_is(k, key)) return v;
  return std::nullopt;
}

std::string KvFields::ident(std::string_view key) const {
  auto v = raw(key);
  return v ? wrapped::ident(*v) : std::string();
}

std::string KvFields::words(std::string_view key) const {
  auto v = raw(key);
  return v ? wrapped::words(*v) : std::string();
}

}  // namespace mratls::scan
