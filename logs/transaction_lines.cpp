#include "logs/transaction_lines.hpp"

#include "logs/line_format.hpp"

namespace mratls::logs {

namespace {

// Where `name="` starts in the line: first an occurrence after a space; failing that, the first
// occurrence, if it opens the line or follows a colon. No allocation: `scan` calls this for
// every field of every line.
std::size_t find_key(std::string_view line, std::string_view name) {
  auto is_key_at = [&](std::size_t at) {
    return line.size() >= at + name.size() + 2 && line[at + name.size()] == '=' && line[at + name.size() + 1] == '"';
  };
  for (auto at = line.find(name); at != std::string_view::npos; at = line.find(name, at + 1))
    if (at > 0 && line[at - 1] == ' ' && is_key_at(at)) return at;
  for (auto at = line.find(name); at != std::string_view::npos; at = line.find(name, at + 1))
    if (is_key_at(at)) return at == 0 || line[at - 1] == ':' ? at : std::string_view::npos;
  return std::string_view::npos;
}

}  // namespace

std::string field(std::string_view line, std::string_view name) {
  const auto at = find_key(line, name);
  if (at == std::string_view::npos) return {};
  std::string out;
  const auto start = at + name.size() + 2;
  auto end = line.find('"', start);
  if (end == std::string_view::npos) end = line.size();
  if (line.substr(start, end - start).find('\\') == std::string_view::npos) return std::string(line.substr(start, end - start));
  for (auto i = start; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) ++i;
    out += line[i];
  }
  return out;
}

TransactionLines transaction_lines(const std::vector<std::string>& log_lines, const std::string& tracking_id) {
  TransactionLines t;
  bool inside = false;
  for (const auto& line : log_lines) {
    if (!inside) {
      if (line.find(words::kReceiveRequestField) != std::string::npos && field(line, "TrackingID") == tracking_id) {
        inside = true;
        t.txn_id = field(line, "Txn-id");
        t.lines.push_back(line);
      }
      continue;
    }
    t.lines.push_back(line);
    if (line.find("] WARNING:") != std::string::npos || line.find("] ERROR:") != std::string::npos ||
        line.find("Event=\"Request Denied\"") != std::string::npos)
      t.reasons.push_back(line);
    if (line.find(words::kSendingResponseField) != std::string::npos && field(line, "Txn-id") == t.txn_id) break;
  }
  return t;
}

}  // namespace mratls::logs
