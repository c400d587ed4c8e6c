#include "proxy/metrics.hpp"

#include "mra/mra_path.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::proxy {

void OriginBoard::record(const std::string& host, int port, int status, const verify::Facts* facts, std::vector<std::string> lines) {
  std::optional<verify::Diagnosis> diagnosis;
  if (facts) diagnosis = verify::diagnose(*facts);
  // A request log-only let through is no failure to count; its row still says what On would do.
  const bool verification = diagnosis && !facts->passed_by_log_only && verify::is_verification_failure(diagnosis->cause);
  if (!verification && !watching()) return;
  std::lock_guard lock(mutex_);
  if (verification) ++failures_[{mra::host_port(host, port), verify::to_string(diagnosis->cause)}];
  if (!watching()) return;
  auto& o = origins_[{host, port}];
  o.host = host;
  o.port = port;
  ++o.requests;
  o.last_status = status;
  o.last_lines = std::move(lines);
  o.cause = diagnosis ? verify::to_string(diagnosis->cause) : "";
  o.summary = diagnosis ? diagnosis->summary : "";
  o.fix = diagnosis ? diagnosis->fix : "";
  o.fixes = diagnosis ? diagnosis->fixes : std::vector<std::string>{};
  o.passed_by_log_only = facts && facts->passed_by_log_only;
}

std::vector<OriginStatus> OriginBoard::origins() const {
  std::lock_guard lock(mutex_);
  std::vector<OriginStatus> out;
  for (const auto& [key, o] : origins_) out.push_back(o);
  return out;
}

std::map<std::pair<std::string, std::string>, std::uint64_t> OriginBoard::verification_failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

}  // namespace mratls::proxy
