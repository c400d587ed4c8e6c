// The diagnostic-log reader on arbitrary text: the entry assembler (wrapped lines, HTTPMSG blocks,
// separators, several entries on one line), the entry parser, the text-to-outcome mapping and
// the scanner's correlation over all of it. `scan` reads whatever a snapshot or a note holds.
// Beyond not crashing: every entry the assembler gives stays within its bound, and the scanner's
// counts add up.
#include <cstdlib>
#include <string_view>

#include "fuzz_target.hpp"
#include "scan/log_entry.hpp"
#include "scan/log_record.hpp"
#include "scan/outcome_text.hpp"
#include "scan/scanner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)mratls::scan::parse_entry(std::string(text));
  (void)mratls::scan::parse_syslog_time(text);
  (void)mratls::scan::outcome_of_line(text);

  std::uint64_t entries = 0;
  mratls::scan::EntryAssembler assembler([&](mratls::scan::LogEntry&& e) {
    ++entries;
    if (e.text.size() > mratls::scan::EntryAssembler::kMaxEntryBytes) std::abort();
    (void)mratls::scan::parse_entry(e.text);
  });
  mratls::scan::Scanner scanner;
  std::uint64_t lines = 0;
  for (std::string_view rest = text; !rest.empty();) {
    const auto nl = rest.find('\n');
    const auto line = rest.substr(0, nl);
    assembler.push(line);
    scanner.feed(line, "fuzz");
    ++lines;
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  assembler.flush();
  scanner.finish();
  const auto& st = scanner.stats();
  if (st.lines != lines || st.entries != entries) std::abort();
  if (st.traffic_lines + st.foreign_lines + st.garbled_lines + st.other_modules + st.expressway_e > st.entries) std::abort();
  for (const auto& o : scanner.origins())
    if (o.troubled() && o.diagnosis.cause == mratls::verify::Cause::None) std::abort();
  return 0;
}
