// Reading back what the proxy wrote about one request: the lines of the transaction a
// TrackingID started, up to its Sending Response. `mratls login` explains a failing step with
// them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mratls::logs {

struct TransactionLines {
  std::string txn_id;               // empty when the TrackingID was not found
  std::vector<std::string> lines;   // every line of the transaction, in order
  std::vector<std::string> reasons; // its WARNING and ERROR lines and any Request Denied event
};

TransactionLines transaction_lines(const std::vector<std::string>& log_lines, const std::string& tracking_id);

// The value of a quoted field (Txn-id="189" → "189"), or empty.
std::string field(std::string_view line, std::string_view name);

}  // namespace mratls::logs
