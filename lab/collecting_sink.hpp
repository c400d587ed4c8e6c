// A spdlog sink that keeps the lines in memory, for the lab (which prints them per request)
// and the tests (which compare them). Lines arrive through the same asynchronous logger.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace mratls::lab {

class CollectingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines();
  std::size_t count(const std::string& needle);
  // Waits until at least `count` lines contain `needle`; false on timeout.
  [[nodiscard]] bool wait_for_count(const std::string& needle, std::size_t count,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  [[nodiscard]] bool wait_for(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return wait_for_count(needle, 1, timeout);
  }
  void clear();

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::size_t count_locked(const std::string& needle) const;
  std::vector<std::string> lines_;
  std::condition_variable changed_;
};

}  // namespace mratls::lab
