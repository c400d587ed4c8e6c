#include "scan/http_block.hpp"

#include <vector>

#include "scan/text_chars.hpp"


namespace mratls::scan {
namespace {

bool token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// "Name:" at the start of a line: the length of the name, else 0.
std::size_t header_name(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && token_char(line[i])) ++i;
  return i > 0 && i < line.size() && line[i] == ':' ? i : 0;
}

bool same_word(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

// The first word after "Name:" in a flattened block ("… Host: a:6972 Accept: */* …").
std::string inline_header(std::string_view text, std::string_view name) {
  for (std::size_t at = 0; (at = text.find(':', at)) != std::string_view::npos; ++at) {
    if (at < name.size() || !same_word(text.substr(at - name.size(), name.size()), name)) continue;
    if (at > name.size() && !is_blank(text[at - name.size() - 1]) && text[at - name.size() - 1] != wrapped::kBreak) continue;
    auto rest = text.substr(at + 1);
    while (!rest.empty() && (is_blank(rest.front()) || rest.front() == wrapped::kBreak)) rest.remove_prefix(1);
    return std::string(rest.substr(0, rest.find_first_of(" \t\n")));
  }
  return {};
}

constexpr std::size_t kMaxStartLine = 8 * 1024;

}  // namespace

HttpBlock parse_http_block(std::string_view block) {
  HttpBlock out;
  std::string start;  // the start line, its wraps as breaks
  std::vector<std::pair<std::string, std::string>> headers;
  bool in_headers = false;
  bool start_whole = false;
  while (!block.empty()) {
    const auto nl = block.find('\n');
    auto line = block.substr(0, nl);
    block = nl == std::string_view::npos ? std::string_view{} : block.substr(nl + 1);
    while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
    while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
    if (!line.empty() && line.front() == '|') line.remove_prefix(1);
    if (!line.empty() && line.back() == '|' && in_headers) line.remove_suffix(1);
    if (line.empty()) continue;
    if (!in_headers) {
      // The start line is whole once its version is read (a request line) or at once (a status
      // line); it is judged again only when a line that can complete it was added, and a start
      // line of more than 8 KiB is taken as it is.
      if (!start.empty() && header_name(line) && (start_whole || start.size() > kMaxStartLine)) in_headers = true;
      if (!in_headers) {
        if (!start.empty()) start += wrapped::kBreak;
        start.append(line);
        if (line.find("HTTP") != std::string_view::npos || (!line.empty() && (is_digit(line.front()) || line.front() == '.')))
          start_whole = wrapped::request_line(start) || wrapped::status_of(start);
        continue;
      }
    }
    if (const auto name = header_name(line)) {
      auto value = line.substr(name + 1);
      while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
      headers.emplace_back(std::string(line.substr(0, name)), std::string(value));
    } else if (!headers.empty()) {
      headers.back().second += wrapped::kBreak;
      headers.back().second.append(line);
    }
  }
  out.request = wrapped::request_line(start);
  std::string_view flattened;
  if (out.request) {
    out.start_line = out.request->method + " " + out.request->target + " " + out.request->version;
    flattened = out.request->rest;
  } else {
    out.status = wrapped::status_of(start);
    out.start_line = wrapped::words(start);
    if (out.status) flattened = start;
  }
  for (const auto& [name, value] : headers) {
    if (same_word(name, "Host") && out.host.empty()) out.host = wrapped::ident(value);
    if (same_word(name, "Server") && out.server.empty()) out.server = wrapped::words(value);
  }
  if (headers.empty() && !flattened.empty()) {
    out.host = inline_header(flattened, "Host");
    out.server = inline_header(flattened, "Server");
  }
  return out;
}

}  // namespace mratls::scan
