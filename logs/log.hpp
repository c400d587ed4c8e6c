// Where the lines go. An event thread never waits on the disk or on another thread: each
// writing thread appends its lines, syslog prefix included, to a buffer of its own; a writer
// thread hands the buffers to the spdlog logger every few milliseconds and flushes once per
// batch. Lines keep their order per thread, hence per connection. Nothing is dropped: a
// thread whose buffer is full hands it over itself, and flush() and the destructor hand over
// everything before they return.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "logs/line_format.hpp"

namespace mratls::logs {

class Log {
 public:
  // Longest a line waits before it is on disk (operators `tail -f` for WARNING and ERROR).
  static constexpr std::chrono::milliseconds kBatchInterval{20};

  // file "-" is stdout. Throws nothing: a file that cannot be opened is reported as an error.
  static std::expected<std::shared_ptr<Log>, std::string> open(const config::Log& settings, std::string system_name);
  // Over any spdlog sink, which receives one message per line (tests collect lines in memory
  // through the same batching path).
  static std::shared_ptr<Log> over_sink(spdlog::sink_ptr sink, const config::Log& settings, std::string system_name);

  // A file or stdout gets each thread's batch as one message: the bytes are the same, and the
  // writer thread pays one sink call per batch instead of one per line.
  enum class Delivery { PerLine, PerBatch };
  Log(spdlog::sink_ptr sink, config::Log settings, std::string system_name, Delivery delivery);
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;
  ~Log();

  // One line (it may hold newlines: DEBUG's HTTPMSG), stamped with the time of its event.
  void write(TimePoint t, std::string_view body);
  void write_now(std::string_view body) { write(std::chrono::system_clock::now(), body); }
  // Every line written before the call is in the sink, and the sink flushed, when it returns.
  void flush();

  // Sees each line, without its newline, as it is handed to the sink, on the writer thread:
  // the admin listener's live view. Set once; a null tap stops it.
  using Tap = std::function<void(std::string_view line)>;
  void set_tap(Tap tap);

  const config::Log& settings() const { return settings_; }
  config::LogLevel level() const { return settings_.level; }
  config::OpenSslText openssl_text() const { return settings_.openssl_text; }

 private:
  struct Pending;
  Pending& pending_here();
  void hand_over();
  void run_writer(std::stop_token stop);

  std::shared_ptr<spdlog::logger> logger_;  // written by hand_over() only, one batch at a time
  config::Log settings_;
  std::string system_name_;
  int pid_;
  Delivery delivery_;
  std::uint64_t serial_;  // tells this Log from one later built at the same address

  std::mutex threads_mutex_;
  std::vector<std::unique_ptr<Pending>> pending_;  // one per writing thread
  std::mutex hand_over_mutex_;                     // batches leave in the order they were taken
  Tap tap_;                                        // under hand_over_mutex_

  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  bool wake_requested_ = false;  // under wake_mutex_
  std::jthread writer_;  // last: started after, and stopped before, everything it reads
};

}  // namespace mratls::logs
