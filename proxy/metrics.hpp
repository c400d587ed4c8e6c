// What GET /metrics and the admin page's origin table read. Counters an event thread bumps on
// every request live in a block of its own (EventThread::counters), written by that thread only,
// so the request path shares no cache line and takes no lock; a scrape sums the blocks. What
// happens only on failure, or only while someone watches (the per-origin table), sits behind a
// mutex in the OriginBoard.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "verify/fix_catalogue.hpp"
#include "verify/outcome.hpp"

namespace mratls::proxy {

struct ThreadCounters {
  static constexpr int kStatuses = 600;
  std::array<std::atomic<std::uint64_t>, kStatuses> responses{};  // by status code
  std::atomic<std::uint64_t> origin_handshakes_ok{0};
  std::atomic<std::uint64_t> origin_handshakes_failed{0};
  std::atomic<std::uint64_t> pool_reuses{0};

  // One writer: a relaxed load and store, not a locked read-modify-write.
  static void bump(std::atomic<std::uint64_t>& c) { c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
};

// The last transaction of one origin (host:port from the MRA path), as the page shows it.
struct OriginStatus {
  std::string host;
  int port = 0;
  std::uint64_t requests = 0;
  int last_status = 0;
  std::vector<std::string> last_lines;  // the WARNING/ERROR lines of the last failed request
  std::string cause;                    // verify::to_string of the cause; empty after a success
  std::string summary;                  // why it failed, in words; empty after a success
  std::string fix;                      // fitted to the cipher preference in force
  std::vector<std::string> fixes;       // the same, one per finding, in the order to apply them
  bool passed_by_log_only = false;      // the last request went through only because of log-only
};

class OriginBoard {
 public:
  // Per-origin statuses are kept only while someone watches (an admin listener is open);
  // verification failures are always counted.
  void watch(bool on) { watching_.store(on, std::memory_order_relaxed); }
  bool watching() const { return watching_.load(std::memory_order_relaxed); }

  // `facts`: why the request failed, with the settings it ran under; null when it did not.
  void record(const std::string& host, int port, int status, const verify::Facts* facts, std::vector<std::string> lines);

  std::vector<OriginStatus> origins() const;
  // (origin "host:port", reason) -> count; the reason is the fix catalogue's cause.
  std::map<std::pair<std::string, std::string>, std::uint64_t> verification_failures() const;

 private:
  std::atomic<bool> watching_{false};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, OriginStatus> origins_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> failures_;
};

struct MetricsSnapshot {
  std::vector<std::pair<int, std::uint64_t>> responses;  // status, count; statuses seen only
  std::uint64_t origin_handshakes_ok = 0;
  std::uint64_t origin_handshakes_failed = 0;
  std::uint64_t pool_reuses = 0;
  int client_connections = 0;
  std::uint64_t accept_failures = 0;
  std::map<std::pair<std::string, std::string>, std::uint64_t> verification_failures;
};

}  // namespace mratls::proxy
