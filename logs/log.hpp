// Where the lines go: an asynchronous spdlog logger, so an event thread never waits on the disk.
// The Log adds the syslog prefix with the time the event happened, not the time it was written.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "logs/line_format.hpp"

namespace mratls::logs {

class Log {
 public:
  // file "-" is stdout. Throws nothing: a file that cannot be opened is reported as an error.
  static std::expected<std::shared_ptr<Log>, std::string> open(const config::Log& settings, std::string system_name);
  // Over any spdlog sink (tests collect lines in memory through the same asynchronous path).
  static std::shared_ptr<Log> over_sink(spdlog::sink_ptr sink, const config::Log& settings, std::string system_name);

  ~Log();

  void write(TimePoint t, std::string_view body);
  void write_now(std::string_view body) { write(std::chrono::system_clock::now(), body); }
  void flush();

  const config::Log& settings() const { return settings_; }
  config::LogLevel level() const { return settings_.level; }
  config::OpenSslText openssl_text() const { return settings_.openssl_text; }

  Log(std::shared_ptr<spdlog::logger> logger, config::Log settings, std::string system_name);

 private:
  std::shared_ptr<spdlog::logger> logger_;
  config::Log settings_;
  std::string system_name_;
  int pid_;
};

}  // namespace mratls::logs
