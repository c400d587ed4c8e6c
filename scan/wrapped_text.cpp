#include "scan/wrapped_text.hpp"

#include <algorithm>

#include "scan/text_chars.hpp"

namespace mratls::scan::wrapped {
using scan::is_blank;
using scan::is_digit;
namespace {


// "HTTP/1.1" at `at`: its length, else 0. Breaks inside it are skipped.
std::size_t version_at(std::string_view text, std::size_t at) {
  auto end = match_at(text, at, "HTTP/");
  if (!end) return 0;
  std::size_t i = *end;
  auto next_digit = [&]() {
    while (i < text.size() && text[i] == kBreak) ++i;
    return i < text.size() && is_digit(text[i]) ? (++i, true) : false;
  };
  if (!next_digit()) return 0;
  while (i < text.size() && text[i] == kBreak) ++i;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!next_digit()) return 0;
  }
  return i - at;
}

}  // namespace

std::string join(std::string_view lines) {
  std::string out;
  out.reserve(lines.size());
  bool pending = false;       // a line break not yet written
  bool pending_space = false;  // whitespace touched it
  for (char c : lines) {
    if (c == '\n') {
      while (!out.empty() && is_blank(out.back())) out.pop_back(), pending_space = true;
      pending = true;
      continue;
    }
    if (pending) {
      if (is_blank(c)) {
        pending_space = true;
        continue;
      }
      if (!out.empty()) out += pending_space ? ' ' : kBreak;
      pending = pending_space = false;
    }
    if (c == '\r') continue;
    out += c;
  }
  while (!out.empty() && is_blank(out.back())) out.pop_back();
  return out;
}

std::string ident(std::string_view text) {
  if (text.find(kBreak) == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (c != kBreak) out += c;
  return out;
}

std::string words(std::string_view text) {
  if (text.find(kBreak) == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != kBreak) out += c;
    else if (!out.empty() && out.back() != '-') out += ' ';
  }
  return out;
}

std::optional<std::size_t> match_at(std::string_view text, std::size_t at, std::string_view phrase) {
  std::size_t i = at;
  for (std::size_t p = 0; p < phrase.size(); ++p) {
    const char want = phrase[p];
    // A break may fall inside a word (skipped) or stand for the phrase's space.
    while (i < text.size() && text[i] == kBreak && want != ' ') {
      if (p == 0) return std::nullopt;  // a match starts on a character of the text
      ++i;
    }
    if (i >= text.size()) return std::nullopt;
    if (want == ' ') {
      if (text[i] != ' ' && text[i] != kBreak) return std::nullopt;
      ++i;
      continue;
    }
    if (text[i] != want) return std::nullopt;
    ++i;
  }
  return i;
}

std::optional<Span> find(std::string_view text, std::string_view phrase, std::size_t from) {
  if (phrase.empty()) return Span{from, from};
  // A phrase that starts with a space starts at a space or at a break.
  if (phrase.front() == ' ') {
    for (std::size_t at = from; at < text.size(); ++at)
      if (text[at] == ' ' || text[at] == kBreak)
        if (auto end = match_at(text, at, phrase)) return Span{at, *end};
    return std::nullopt;
  }
  for (std::size_t at = text.find(phrase.front(), from); at != std::string_view::npos; at = text.find(phrase.front(), at + 1))
    if (auto end = match_at(text, at, phrase)) return Span{at, *end};
  return std::nullopt;
}

std::optional<RequestLine> request_line(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (is_blank(text[i]) || text[i] == kBreak)) ++i;
  const std::size_t method_begin = i;
  while (i < text.size() && text[i] >= 'A' && text[i] <= 'Z') ++i;
  if (i == method_begin || i >= text.size() || (!is_blank(text[i]) && text[i] != kBreak)) return std::nullopt;
  RequestLine out;
  out.method = std::string(text.substr(method_begin, i - method_begin));
  // The line as the appliance writes it: "GET <target> HTTP/1.1", one space each side.
  if (text[i] == ' ') {
    const auto version = text.find(" HTTP/1.", i + 1);
    if (version != std::string_view::npos && version + 9 <= text.size() && is_digit(text[version + 8]) &&
        (version + 9 == text.size() || text[version + 9] == ' ')) {
      const auto target = text.substr(i + 1, version - i - 1);
      if (!target.empty() && std::ranges::none_of(target, [](char c) { return is_blank(c) || c == kBreak; })) {
        out.target = std::string(target);
        out.version = std::string(text.substr(version + 1, 8));
        out.rest = text.substr(version + 9);
        return out;
      }
    }
  }
  for (std::size_t at = i; at < text.size(); ++at) {
    if (text[at] != 'H') continue;
    const auto length = version_at(text, at);
    if (length == 0) continue;
    // The version stands alone: after a space or a break, and before one or the end.
    const bool before_ok = is_blank(text[at - 1]) || text[at - 1] == kBreak;
    const std::size_t end = at + length;
    const bool after_ok = end == text.size() || is_blank(text[end]) || text[end] == kBreak;
    if (!before_ok || !after_ok) continue;
    auto target = text.substr(i, at - i);
    while (!target.empty() && (is_blank(target.front()) || target.front() == kBreak)) target.remove_prefix(1);
    while (!target.empty() && (is_blank(target.back()) || target.back() == kBreak)) target.remove_suffix(1);
    if (std::ranges::none_of(target, [](char c) { return is_blank(c) || c == kBreak; })) {
      out.target = std::string(target);
    } else {
      for (char c : target)
        if (!is_blank(c) && c != kBreak) out.target += c;
    }
    if (out.target.empty()) return std::nullopt;
    out.version = ident(text.substr(at, length));
    out.rest = text.substr(end);
    return out;
  }
  return std::nullopt;
}

int status_of(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (is_blank(text[i]) || text[i] == kBreak)) ++i;
  const auto length = version_at(text, i);
  if (length == 0) return 0;
  i += length;
  while (i < text.size() && (is_blank(text[i]) || text[i] == kBreak)) ++i;
  int status = 0, count = 0;
  for (; i < text.size() && count < 3; ++i) {
    if (text[i] == kBreak) continue;
    if (!is_digit(text[i])) return 0;
    status = status * 10 + (text[i] - '0');
    ++count;
  }
  if (count != 3 || (i < text.size() && is_digit(text[i]))) return 0;
  return status;
}

}  // namespace mratls::scan::wrapped
