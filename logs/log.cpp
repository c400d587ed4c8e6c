#include "logs/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <atomic>

#include "logs/syslog_clock.hpp"

namespace mratls::logs {
namespace {

// A full buffer is handed over by its own thread: memory stays bounded when the disk is slow,
// and the line waits for the disk rather than being dropped.
constexpr std::size_t kWakeWriterBytes = 64 * 1024;
constexpr std::size_t kHandOverBytes = 4 * 1024 * 1024;

std::atomic<std::uint64_t> next_serial{1};

}  // namespace

struct Log::Pending {
  Pending(std::thread::id id, std::string system_name, int pid) : owner(id), clock(std::move(system_name), pid) {}

  std::thread::id owner;
  std::mutex mutex;
  std::string text;              // lines back to back
  std::vector<std::size_t> ends;  // where each line ends in `text`
  SyslogClock clock;              // used by the owner only, under `mutex`
  // What hand_over() swaps in, so that steady state allocates nothing.
  std::string spare_text;
  std::vector<std::size_t> spare_ends;
};

Log::Log(spdlog::sink_ptr sink, config::Log settings, std::string system_name, Delivery delivery)
    : logger_(std::make_shared<spdlog::logger>("traffic_server", std::move(sink))),
      settings_(std::move(settings)),
      system_name_(std::move(system_name)),
      pid_(getpid()),
      delivery_(delivery),
      serial_(next_serial++) {
  logger_->set_pattern("%v");
  logger_->set_level(spdlog::level::info);
  writer_ = std::jthread([this](std::stop_token stop) { run_writer(stop); });
}

Log::~Log() {
  writer_.request_stop();
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  flush();
}

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
  return std::make_shared<Log>(std::move(sink), settings, std::move(system_name), Delivery::PerBatch);
}

std::shared_ptr<Log> Log::over_sink(spdlog::sink_ptr sink, const config::Log& settings, std::string system_name) {
  return std::make_shared<Log>(std::move(sink), settings, std::move(system_name), Delivery::PerLine);
}

Log::Pending& Log::pending_here() {
  // The common case, one Log written by each thread, costs no lock and no search.
  thread_local std::uint64_t cached_serial = 0;
  thread_local Pending* cached = nullptr;
  if (cached_serial == serial_) return *cached;
  const auto id = std::this_thread::get_id();
  std::lock_guard lock(threads_mutex_);
  Pending* found = nullptr;
  for (auto& p : pending_)
    if (p->owner == id) found = p.get();
  if (!found) found = pending_.emplace_back(std::make_unique<Pending>(id, system_name_, pid_)).get();
  cached_serial = serial_;
  cached = found;
  return *found;
}

void Log::write(TimePoint t, std::string_view body) {
  Pending& p = pending_here();
  std::size_t size = 0;
  {
    std::lock_guard lock(p.mutex);
    p.clock.append(p.text, t);
    p.text.append(body);
    p.text += '\n';
    p.ends.push_back(p.text.size());
    size = p.text.size();
  }
  if (size >= kHandOverBytes) {
    hand_over();
  } else if (size >= kWakeWriterBytes) {
    std::lock_guard lock(wake_mutex_);
    wake_requested_ = true;
    wake_.notify_one();
  }
}

void Log::hand_over() {
  std::lock_guard order(hand_over_mutex_);
  std::vector<Pending*> all;
  {
    std::lock_guard lock(threads_mutex_);
    all.reserve(pending_.size());
    for (auto& p : pending_) all.push_back(p.get());
  }
  bool wrote = false;
  for (Pending* p : all) {
    {
      std::lock_guard lock(p->mutex);
      if (p->ends.empty()) continue;
      p->text.swap(p->spare_text);
      p->ends.swap(p->spare_ends);
    }
    // spare_* belong to whoever holds hand_over_mutex_.
    const std::string& text = p->spare_text;
    if (delivery_ == Delivery::PerBatch) {
      // The lines joined by the newlines the sink would have put after each; it adds the last.
      logger_->log(spdlog::level::info, spdlog::string_view_t(text.data(), text.size() - 1));
    } else {
      std::size_t begin = 0;
      for (std::size_t end : p->spare_ends) {
        logger_->log(spdlog::level::info, spdlog::string_view_t(text.data() + begin, end - begin - 1));
        begin = end;
      }
    }
    if (tap_) {
      std::size_t begin = 0;
      for (std::size_t end : p->spare_ends) {
        tap_(std::string_view(text.data() + begin, end - begin - 1));
        begin = end;
      }
    }
    p->spare_text.clear();
    p->spare_ends.clear();
    wrote = true;
  }
  if (wrote) logger_->flush();
}

void Log::flush() { hand_over(); }

void Log::set_tap(Tap tap) {
  std::lock_guard order(hand_over_mutex_);
  tap_ = std::move(tap);
}

void Log::run_writer(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, stop, kBatchInterval, [this] { return wake_requested_; });
      wake_requested_ = false;
    }
    hand_over();
  }
}

}  // namespace mratls::logs
