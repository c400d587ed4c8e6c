// The typed outcome of each failed request, by TrackingID: what the in-process proxy keeps for
// the lab, so that the lab explains a failing step from values rather than from log text.
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
  // `rsa_first`: the cipher string in force when the request ran, which the fix is fitted to.
  void record(const std::string& tracking_id, verify::Outcome outcome, bool rsa_first = false) {
    std::lock_guard lock(mutex_);
    outcomes_.insert_or_assign(tracking_id, Recorded{std::move(outcome), rsa_first});
  }
  std::optional<verify::Outcome> find(const std::string& tracking_id) const {
    std::lock_guard lock(mutex_);
    auto it = outcomes_.find(tracking_id);
    if (it == outcomes_.end()) return std::nullopt;
    return it->second.outcome;
  }
  // The cause and fix, for the settings the request ran under (a switch flipped since changes nothing).
  std::optional<verify::Diagnosis> diagnosis(const std::string& tracking_id) const {
    std::lock_guard lock(mutex_);
    auto it = outcomes_.find(tracking_id);
    if (it == outcomes_.end()) return std::nullopt;
    return verify::under_settings(verify::explain(it->second.outcome), it->second.rsa_first);
  }

 private:
  struct Recorded {
    verify::Outcome outcome;
    bool rsa_first = false;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Recorded> outcomes_;
};

}  // namespace mratls::proxy
