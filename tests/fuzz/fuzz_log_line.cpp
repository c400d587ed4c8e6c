// The diagnostic-log line parser on arbitrary lines: `scan` reads whatever a snapshot holds.
#include <string_view>

#include "fuzz_target.hpp"
#include "scan/log_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto record = mratls::scan::parse_line(line);
  (void)record;
  (void)mratls::scan::parse_syslog_time(line);
  return 0;
}
