// The syslog prefix of every line ("2022-07-11T18:55:25.910+02:00 vcsc traffic_server[18242]: "),
// built once per second: formatting the date and asking the C library for the local offset
// (localtime_r takes glibc's time-zone lock) on every line cost more than the rest of the line.
// One per writing thread; not shared.
#pragma once

#include <cstdint>
#include <ctime>
#include <limits>
#include <string>

#include "logs/line_format.hpp"

namespace mratls::logs {

// The local zone's offset from UTC at `t`, in seconds.
int local_utc_offset(std::time_t t);

class SyslogClock {
 public:
  using OffsetAt = int (*)(std::time_t);
  SyslogClock(std::string system_name, int pid, OffsetAt offset_at = local_utc_offset);

  // Appends exactly syslog_prefix(t, offset_at(t), system_name, pid).
  void append(std::string& out, TimePoint t);

 private:
  std::string system_name_;
  int pid_;
  OffsetAt offset_at_;
  std::int64_t second_ = std::numeric_limits<std::int64_t>::min();
  std::string head_;  // up to the seconds and the dot
  std::string tail_;  // from the offset to the end
};

}  // namespace mratls::logs
