// Physical lines into the appliance's log entries. An entry starts with the syslog timestamp and
// the host (or, as some notes print it, the host and "traffic_server[pid]:" alone); every line
// after it that does not start one is part of it: its HTTPMSG block, or the rest of a wrapped
// line. Separators between excerpts ("===…===", "----", blank lines) are passed over, also inside
// an entry, as a note prints them; an e-mail's "> " is taken off. A line holding several entries
// (an excerpt flattened onto one line) is cut where each starts. Memory is bounded: an entry
// keeps at most kMaxEntryBytes, and says it was cut. Pure: lines in, entries out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mratls::scan {

struct LogEntry {
  std::string text;  // its physical lines, '\n' between them
  std::uint64_t lines = 0;
  bool cut = false;  // longer than kMaxEntryBytes: the rest was dropped
};

struct EntryCounts {
  std::uint64_t separators = 0;  // blank lines, "----", "===…===" headings
  std::uint64_t loose = 0;       // text before any entry: a note's prose, a heading
  std::uint64_t cut = 0;         // entries cut at kMaxEntryBytes
};

class EntryAssembler {
 public:
  static constexpr std::size_t kMaxEntryBytes = 64 * 1024;
  using Sink = std::function<void(LogEntry&&)>;

  explicit EntryAssembler(Sink sink) : sink_(std::move(sink)) {}
  void push(std::string_view line);
  // The entry being gathered ends here (the end of a file).
  void flush();
  const EntryCounts& counts() const { return counts_; }

 private:
  void append(std::string_view piece);

  Sink sink_;
  LogEntry current_;
  bool open_ = false;
  EntryCounts counts_;
};

// Whether `line` starts an entry: "2022-07-11T18:55:25.910+02:00 host …" or "host program[pid]: …".
bool starts_entry(std::string_view line);
// Whether `line` only separates: blank, a rule of '-', '=', '_', '*' or '~', or a "===…===" heading.
bool is_separator(std::string_view line);
// Where, after its start, a line holds the starts of other entries, outside quotes: an excerpt
// flattened onto one line. In one pass, linear in the line.
std::vector<std::size_t> entry_starts(std::string_view line);

}  // namespace mratls::scan
