// The facts of each failed request, by TrackingID: what the in-process proxy keeps for the lab,
// so that the lab explains a failing step from values rather than from log text.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "verify/fix_catalogue.hpp"
#include "verify/outcome.hpp"

namespace mratls::proxy {

class OutcomeRecord {
 public:
  // The facts carry the settings the request ran under: a switch flipped since changes nothing.
  void record(const std::string& tracking_id, verify::Facts facts) {
    std::lock_guard lock(mutex_);
    facts_.insert_or_assign(tracking_id, std::move(facts));
  }
  // The first finding: the one the appliance logs.
  std::optional<verify::Outcome> find(const std::string& tracking_id) const {
    std::lock_guard lock(mutex_);
    auto it = facts_.find(tracking_id);
    if (it == facts_.end() || it->second.findings.empty()) return std::nullopt;
    return it->second.findings.front();
  }
  std::optional<verify::Diagnosis> diagnosis(const std::string& tracking_id) const {
    std::lock_guard lock(mutex_);
    auto it = facts_.find(tracking_id);
    if (it == facts_.end()) return std::nullopt;
    return verify::diagnose(it->second);
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, verify::Facts> facts_;
};

}  // namespace mratls::proxy
