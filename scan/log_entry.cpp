#include "scan/log_entry.hpp"

#include <algorithm>

#include "scan/text_chars.hpp"

namespace mratls::scan {
namespace {


std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// "2022-07-11T18:55": the start of a syslog timestamp.
bool iso_at(std::string_view s, std::size_t at) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd";
  if (at + kShape.size() > s.size()) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i)
    if (kShape[i] == 'd' ? !is_digit(s[at + i]) : s[at + i] != kShape[i]) return false;
  return true;
}

// "host program[pid]:" at the start of `s`.
bool host_program_pid(std::string_view s) {
  const auto space = s.find(' ');
  if (space == 0 || space == std::string_view::npos) return false;
  auto plain = [](std::string_view token) {
    return std::ranges::none_of(token, [](char c) { return is_blank(c) || c == ':' || c == '"' || c == '=' || c == '[' || c == ']'; });
  };
  const auto rest = s.substr(space + 1);
  const auto open = rest.find('[');
  if (open == 0 || open == std::string_view::npos || !plain(s.substr(0, space)) || !plain(rest.substr(0, open))) return false;
  std::size_t i = open + 1;
  while (i < rest.size() && is_digit(rest[i])) ++i;
  return i > open + 1 && rest.substr(i).starts_with("]:");
}

// An e-mail's quoting ("> ", "> > ") is not the log's.
std::string_view unquoted(std::string_view line) {
  for (;;) {
    std::size_t i = 0;
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i >= line.size() || line[i] != '>') return line;
    line.remove_prefix(i + 1);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  }
}

}  // namespace

bool starts_entry(std::string_view line) {
  auto s = trimmed(line);
  return iso_at(s, 0) || host_program_pid(s);
}

bool is_separator(std::string_view line) {
  auto s = trimmed(line);
  if (s.empty() || s == "..." || s == "\xE2\x80\xA6" || s == "[...]") return true;
  if (s.size() >= 3 && s.find_first_not_of("-=_*~#") == std::string_view::npos) return true;
  return s.size() >= 4 && s.starts_with("==") && s.ends_with("==");
}

std::vector<std::size_t> entry_starts(std::string_view line) {
  // One pass: the candidates (a 'T' of a timestamp, a " traffic_server[") are found with memchr
  // in increasing order, the quotes counted once, afresh from each entry found.
  std::vector<std::size_t> out;
  std::size_t entry = 0, counted = 0;
  bool quoted = false;
  auto opens_word = [&](std::size_t at) {
    return at > entry && (line[at - 1] == ' ' || line[at - 1] == '"' || line[at - 1] == '\t');
  };
  auto outside_quotes = [&](std::size_t at) {
    for (auto q = line.find('"', counted); q != std::string_view::npos && q < at; q = line.find('"', q + 1))
      if (q == 0 || line[q - 1] != '\\') quoted = !quoted;
    counted = std::max(counted, at);
    return !quoted;
  };
  auto timestamp_at = [&](std::size_t t) {
    const auto at = t - 10;
    return t >= 10 && line[t - 3] == '-' && opens_word(at) && iso_at(line, at) ? at : std::string_view::npos;
  };
  // "host traffic_server[pid]:", not the host after the entry's own timestamp.
  static constexpr std::string_view kProgram = " traffic_server[";
  auto host_at = [&](std::size_t program) {
    std::size_t host = program;
    while (host > 0 && !is_blank(line[host - 1])) --host;
    if (!opens_word(host) || line[host - 1] == '"') return std::string_view::npos;
    std::size_t token = host - 1;
    while (token > 0 && is_blank(line[token - 1])) --token;
    while (token > 0 && !is_blank(line[token - 1])) --token;
    return !iso_at(line, token) && host_program_pid(line.substr(host)) ? host : std::string_view::npos;
  };
  std::size_t t = line.find('T', 10), program = line.find(kProgram, 1);
  for (;;) {
    std::size_t stamp = std::string_view::npos, host = std::string_view::npos;
    while (t != std::string_view::npos && (stamp = timestamp_at(t)) == std::string_view::npos) t = line.find('T', t + 1);
    while (program != std::string_view::npos && (host = host_at(program)) == std::string_view::npos)
      program = line.find(kProgram, program + 1);
    const auto next = std::min(stamp, host);
    if (next == std::string_view::npos) return out;
    // Step past the candidate taken, whatever it is.
    if (next == stamp) t = line.find('T', t + 1);
    if (next == host) program = line.find(kProgram, program + 1);
    if (!outside_quotes(next)) continue;
    out.push_back(next);
    entry = counted = next;
    quoted = false;
  }
}

void EntryAssembler::push(std::string_view line) {
  line = unquoted(line);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (is_separator(line)) {
    ++counts_.separators;
    if (open_) ++current_.lines;
    return;
  }
  // Only the first piece can continue an entry: every later one starts one.
  const auto starts = entry_starts(line);
  for (std::size_t i = 0, from = 0; i <= starts.size(); ++i) {
    const auto to = i < starts.size() ? starts[i] : line.size();
    const auto piece = line.substr(from, to - from);
    from = to;
    if (i > 0 || starts_entry(piece)) {
      flush();
      open_ = true;
      current_.lines = 1;
      append(piece);
    } else if (open_) {
      ++current_.lines;
      if (!current_.text.empty()) append("\n");
      append(piece);
    } else {
      ++counts_.loose;
    }
  }
}

void EntryAssembler::append(std::string_view piece) {
  if (current_.cut) return;
  const auto room = kMaxEntryBytes - current_.text.size();
  if (piece.size() > room) {
    current_.text.append(piece.substr(0, room));
    current_.cut = true;
    return;
  }
  current_.text.append(piece);
}

void EntryAssembler::flush() {
  if (!open_) return;
  open_ = false;
  if (current_.cut) ++counts_.cut;
  sink_(std::move(current_));
  current_ = LogEntry{};
}

}  // namespace mratls::scan
