// The typed outcome of each failed request, by TrackingID: what the in-process proxy keeps for
// the lab, so that the lab explains a failing step from values rather than from log text.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "verify/outcome.hpp"

namespace mratls::proxy {

class OutcomeRecord {
 public:
  void record(const std::string& tracking_id, verify::Outcome outcome) {
    std::lock_guard lock(mutex_);
    outcomes_.insert_or_assign(tracking_id, std::move(outcome));
  }
  std::optional<verify::Outcome> find(const std::string& tracking_id) const {
    std::lock_guard lock(mutex_);
    auto it = outcomes_.find(tracking_id);
    if (it == outcomes_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, verify::Outcome> outcomes_;
};

}  // namespace mratls::proxy
