// The diagnostic-log line parser and the text-to-outcome mapping on arbitrary lines: `scan`
// reads whatever a snapshot holds.
#include <string_view>

#include "fuzz_target.hpp"
#include "scan/log_record.hpp"
#include "scan/outcome_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto record = mratls::scan::parse_line(line);
  (void)record;
  (void)mratls::scan::parse_syslog_time(line);
  (void)mratls::scan::outcome_of_line(line);
  return 0;
}
