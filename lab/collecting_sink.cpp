#include "lab/collecting_sink.hpp"

#include <algorithm>

namespace mratls::lab {

void CollectingSink::sink_it_(const spdlog::details::log_msg& msg) {
  lines_.emplace_back(msg.payload.data(), msg.payload.size());
  changed_.notify_all();
}

std::vector<std::string> CollectingSink::lines() {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::size_t CollectingSink::count_locked(const std::string& needle) const {
  return static_cast<std::size_t>(
      std::count_if(lines_.begin(), lines_.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; }));
}

std::size_t CollectingSink::count(const std::string& needle) {
  std::lock_guard lock(mutex_);
  return count_locked(needle);
}

bool CollectingSink::wait_for_count(const std::string& needle, std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return count_locked(needle) >= count; });
}

void CollectingSink::clear() {
  std::lock_guard lock(mutex_);
  lines_.clear();
}

}  // namespace mratls::lab
