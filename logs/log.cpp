#include "logs/log.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <ctime>

namespace mratls::logs {
namespace {

std::shared_ptr<spdlog::details::thread_pool> shared_pool() {
  // One writer thread for every Log of the process; the queue absorbs bursts.
  static auto pool = std::make_shared<spdlog::details::thread_pool>(8192, 1);
  return pool;
}

std::shared_ptr<spdlog::logger> async_logger(spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::async_logger>("traffic_server", std::move(sink), shared_pool(),
                                                       spdlog::async_overflow_policy::block);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return logger;
}

int local_utc_offset(std::time_t now) {
  std::tm tm{};
  localtime_r(&now, &tm);
  return static_cast<int>(tm.tm_gmtoff);
}

}  // namespace

Log::Log(std::shared_ptr<spdlog::logger> logger, config::Log settings, std::string system_name)
    : logger_(std::move(logger)), settings_(std::move(settings)), system_name_(std::move(system_name)), pid_(getpid()) {}

Log::~Log() { flush(); }

std::expected<std::shared_ptr<Log>, std::string> Log::open(const config::Log& settings, std::string system_name) {
  spdlog::sink_ptr sink;
  if (settings.file == "-") {
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(settings.file);
    } catch (const spdlog::spdlog_ex& e) {
      return std::unexpected(settings.file + ": cannot open the log file: " + e.what());
    }
  }
  return over_sink(std::move(sink), settings, std::move(system_name));
}

std::shared_ptr<Log> Log::over_sink(spdlog::sink_ptr sink, const config::Log& settings, std::string system_name) {
  return std::make_shared<Log>(async_logger(std::move(sink)), settings, std::move(system_name));
}

void Log::write(TimePoint t, std::string_view body) {
  auto offset = local_utc_offset(std::chrono::system_clock::to_time_t(t));
  logger_->info("{}{}", syslog_prefix(t, offset, system_name_, pid_), body);
}

void Log::flush() { logger_->flush(); }

}  // namespace mratls::logs
