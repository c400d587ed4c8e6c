#include "logs/syslog_clock.hpp"

#include <chrono>

namespace mratls::logs {

int local_utc_offset(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  return static_cast<int>(tm.tm_gmtoff);
}

SyslogClock::SyslogClock(std::string system_name, int pid, OffsetAt offset_at)
    : system_name_(std::move(system_name)), pid_(pid), offset_at_(offset_at) {}

void SyslogClock::append(std::string& out, TimePoint t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  const auto second = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
  const auto millis = static_cast<int>(ms - second * 1000);
  if (second != second_) {
    // The whole prefix of the second's first millisecond, cut around its three digits.
    const TimePoint whole{milliseconds(second * 1000)};
    const auto full = syslog_prefix(whole, offset_at_(static_cast<std::time_t>(second)), system_name_, pid_);
    const auto dot = full.find('.');
    head_ = full.substr(0, dot + 1);
    tail_ = full.substr(dot + 4);
    second_ = second;
  }
  out += head_;
  const char digits[3] = {static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                          static_cast<char>('0' + millis % 10)};
  out.append(digits, 3);
  out += tail_;
}

}  // namespace mratls::logs
