#include "scan/log_entry.hpp"

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
    return token.find_first_of(" \t:\"=[]") == std::string_view::npos;
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

std::size_t next_entry_start(std::string_view line, std::size_t from) {
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && (i == 0 || line[i - 1] != '\\')) quoted = !quoted;
    if (i < from || quoted || i == 0) continue;
    const char before = line[i - 1];
    if (before != ' ' && before != '"' && before != '\t') continue;
    if (is_digit(c) && iso_at(line, i)) return i;
    if (before == '"' || !host_program_pid(line.substr(i)) || line.substr(i).find(" traffic_server[") != line.substr(i).find(' '))
      continue;
    // Not the host after the entry's own timestamp.
    std::size_t token = i - 1;
    while (token > 0 && is_blank(line[token - 1])) --token;
    while (token > 0 && !is_blank(line[token - 1])) --token;
    if (!iso_at(line, token)) return i;
  }
  return std::string_view::npos;
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
  for (bool first = true; !line.empty(); first = false) {
    const auto next = next_entry_start(line, 1);
    const auto piece = line.substr(0, next);
    if (!first || starts_entry(piece)) {
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
    if (next == std::string_view::npos) break;
    line.remove_prefix(next);
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
