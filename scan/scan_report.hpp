// What `mratls scan` reads and what it found, as values, and the two ways it says so: the text an
// engineer reads and the JSON for automation (schema mratls.scan/1). The command only parses its
// options, judges the captured chains when it has a trust store, and picks one of the two.
#pragma once

#include <cstdint>
#include <expected>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scan/capture/archive_captures.hpp"
#include "scan/capture/capture_report.hpp"
#include "scan/scanner.hpp"

namespace mratls::scan {

// The inputs told apart by their first bytes, also inside archives (a snapshot's tcpdumps) and
// compressed: packet captures read here, everything else named as a log.
struct ScanInputs {
  std::vector<std::string> logs;
  std::vector<capture::CaptureScan> captures;
  std::vector<capture::OriginCapture> capture_origins;  // every capture's handshakes, by origin
  std::uint64_t connections_not_read = 0;
  std::int64_t connections_without_tls = 0;
  // "<name>: the capture is cut short after N frames (...)", one per capture cut short.
  std::vector<std::string> warnings;
};
std::expected<ScanInputs, std::string> read_inputs(const std::vector<std::string>& files);

struct ScanReport {
  ScanInputs inputs;
  bool has_logs = false;  // false: the captures are the whole report
  ScanStats stats;
  std::vector<OriginSummary> origins;
  std::vector<EdgeAnswer> edge_answers;  // Expressway-E's own error answers
  std::vector<std::string> skipped;

  // A refused chain or a fatal alert in a capture, a failed or denied request in a log.
  bool findings() const;
  bool verification_failures() const;
};
// Scans the logs of `inputs` (none: the report is the captures alone) and joins them with the
// captures. An error names the file; a log without a traffic_server line is one too.
std::expected<ScanReport, std::string> scan_inputs(ScanInputs inputs, const ScanWindow& window);

void write_text(const ScanReport& report, bool evidence, std::ostream& out);
nlohmann::json to_json(const ScanReport& report);

}  // namespace mratls::scan
