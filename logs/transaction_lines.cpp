#include "logs/transaction_lines.hpp"

namespace mratls::logs {

std::string field(const std::string& line, const std::string& name) {
  auto key = " " + name + "=\"";
  auto at = line.find(key);
  if (at == std::string::npos) {
    key = name + "=\"";
    at = line.find(key);
    if (at == std::string::npos || (at > 0 && line[at - 1] != ' ' && line[at - 1] != ':')) return {};
  }
  auto start = at + key.size();
  std::string out;
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
      if (line.find("Detail=\"Receive Request\"") != std::string::npos && field(line, "TrackingID") == tracking_id) {
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
    if (line.find("Detail=\"Sending Response\"") != std::string::npos && field(line, "Txn-id") == t.txn_id) break;
  }
  return t;
}

}  // namespace mratls::logs
