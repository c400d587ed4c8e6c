#include "scan/scan_report.hpp"

#include <algorithm>

#include "mra/mra_path.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::scan {
namespace {

nlohmann::json captures_json(const ScanInputs& in) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& c : in.captures)
    inputs.push_back({{"file", c.input.name}, {"format", c.input.read.format}, {"link_type", c.input.read.link_type},
                      {"frames", c.input.read.frames}, {"tcp_segments", c.input.tcp_segments}, {"truncated", c.input.read.truncated}});
  return {{"inputs", inputs},
          {"connections_not_read", in.connections_not_read},
          {"connections_without_tls_handshake", in.connections_without_tls},
          {"origins", capture::capture_json(in.capture_origins)}};
}

void write_captures(const ScanInputs& in, std::ostream& out) {
  if (in.captures.empty()) return;
  out << "\nCaptures (";
  for (std::size_t i = 0; i < in.captures.size(); ++i)
    out << (i ? "; " : "") << in.captures[i].input.name << ": " << in.captures[i].input.read.frames << " frames, "
        << in.captures[i].input.tcp_segments << " TCP segments";
  out << "):\n";
  if (in.capture_origins.empty()) out << "\nno TLS handshake in the capture\n";
  capture::print_capture(in.capture_origins, out);
  if (in.connections_without_tls > 0)
    out << "\n" << in.connections_without_tls << " TCP connection" << (in.connections_without_tls == 1 ? "" : "s")
        << " without a TLS handshake in the capture (plain traffic, or opened before the capture began)\n";
  if (in.connections_not_read > 0)
    out << in.connections_not_read << " connections not read: the capture holds more than the reader keeps at once\n";
}

}  // namespace

std::expected<ScanInputs, std::string> read_inputs(const std::vector<std::string>& files) {
  ScanInputs in;
  for (const auto& file : files) {
    if (capture::is_capture_file(file)) {
      auto read = capture::read_capture_scan(file);
      if (!read) return std::unexpected(read.error());
      in.captures.push_back(std::move(*read));
      continue;
    }
    auto inside = capture::read_archive_captures(file);
    if (!inside) return std::unexpected(inside.error());
    for (auto& c : inside->captures) in.captures.push_back(std::move(c));
    if (!inside->whole_file_is_capture) in.logs.push_back(file);
  }
  std::vector<capture::Handshake> handshakes;
  for (const auto& c : in.captures) {
    if (!c.input.read.truncated.empty())
      in.warnings.push_back(c.input.name + ": the capture is cut short after " + std::to_string(c.input.read.frames) +
                            " frames (" + c.input.read.truncated + "); read up to there");
    handshakes.insert(handshakes.end(), c.handshakes.begin(), c.handshakes.end());
    in.connections_not_read += c.connections_not_read;
  }
  in.connections_without_tls = std::ranges::count_if(handshakes, [](const auto& h) { return !h.from_client.tls && !h.from_server.tls; });
  in.capture_origins = capture::by_origin(handshakes);
  return in;
}

std::expected<ScanReport, std::string> scan_inputs(ScanInputs inputs, const ScanWindow& window) {
  ScanReport report;
  report.inputs = std::move(inputs);
  if (report.inputs.logs.empty()) return report;
  Scanner scanner(window);
  if (auto merged = scan_files(report.inputs.logs, scanner, report.skipped); !merged) return std::unexpected(merged.error());
  report.origins = scanner.origins();
  capture::join_logs(report.inputs.capture_origins, report.origins);
  report.stats = scanner.stats();
  if (report.stats.traffic_lines == 0 && report.inputs.captures.empty())
    return std::unexpected("no traffic_server line in the input (" + std::to_string(report.stats.lines) + " lines read)");
  report.has_logs = report.stats.traffic_lines > 0;
  return report;
}

bool ScanReport::findings() const {
  return std::ranges::any_of(inputs.capture_origins, capture::shows_failure) ||
         (has_logs && std::ranges::any_of(origins, [](const auto& og) { return og.failed + og.denied > 0; }));
}

bool ScanReport::verification_failures() const {
  for (const auto& og : origins)
    for (const auto& [cause, count] : og.causes)
      if (verify::is_verification_failure(cause)) return true;
  return false;
}

nlohmann::json to_json(const ScanReport& r) {
  if (!r.has_logs) return {{"schema", "mratls.scan/1"}, {"captures", captures_json(r.inputs)}};
  const auto& st = r.stats;
  nlohmann::json out{{"schema", "mratls.scan/1"},
                     {"stats",
                      {{"lines", st.lines}, {"traffic_lines", st.traffic_lines}, {"foreign_lines", st.foreign_lines},
                       {"garbled_lines", st.garbled_lines}, {"transactions", st.transactions},
                       {"incomplete_transactions", st.incomplete_transactions}, {"outside_window", st.outside_window},
                       {"undecodable_paths", st.undecodable_paths}}},
                     {"skipped", r.skipped}};
  out["origins"] = nlohmann::json::array();
  for (const auto& og : r.origins) {
    nlohmann::json ev = nlohmann::json::array();
    for (const auto& e : og.evidence) ev.push_back({{"decoded", e.decoded}, {"lines", e.lines}});
    out["origins"].push_back({{"origin", mra::host_port(og.host, og.port)}, {"host", og.host}, {"port", og.port},
                              {"requests", og.requests}, {"ok", og.ok}, {"failed", og.failed}, {"denied", og.denied},
                              {"first_failure", og.first_failure}, {"last_failure", og.last_failure},
                              {"signature", verify::to_string(og.diagnosis.cause)}, {"summary", og.diagnosis.summary},
                              {"fix", og.diagnosis.fix}, {"notes", og.notes}, {"evidence", ev}});
  }
  if (!r.inputs.captures.empty()) out["captures"] = captures_json(r.inputs);
  return out;
}

void write_text(const ScanReport& r, bool evidence, std::ostream& out) {
  if (!r.has_logs) {
    write_captures(r.inputs, out);
    return;
  }
  const auto& st = r.stats;
  out << "Origins (" << st.transactions << " transactions from " << st.traffic_lines << " traffic_server lines):\n";
  for (const auto& og : r.origins) {
    out << "\n" << mra::host_port(og.host, og.port) << "  requests " << og.requests << ", 2xx " << og.ok << ", failed " << og.failed
        << (og.denied ? ", denied " + std::to_string(og.denied) : std::string());
    if (og.failed + og.denied == 0) {
      out << "  healthy\n";
      continue;
    }
    out << "\n  failing " << og.first_failure << " .. " << og.last_failure << "\n  signature: " << verify::to_string(og.diagnosis.cause)
        << ": " << og.diagnosis.summary << "\n";
    if (!og.diagnosis.fix.empty()) out << "  fix: " << og.diagnosis.fix << "\n";
    for (const auto& n : og.notes) out << "  note: " << n << "\n";
    if (!evidence) continue;
    for (const auto& e : og.evidence) {
      out << "  evidence: " << e.decoded << "\n";
      for (const auto& l : e.lines) out << "    " << l << "\n";
    }
  }
  out << "\nread " << st.lines << " lines: " << st.traffic_lines << " traffic_server, " << st.foreign_lines << " from other programs, "
      << st.garbled_lines << " garbled or truncated; " << st.incomplete_transactions << " transactions without their response";
  if (st.outside_window) out << "; " << st.outside_window << " outside --since/--until";
  out << "\n";
  for (const auto& s : r.skipped) out << "skipped " << s << "\n";
  // Only where it would help: a refused client certificate or the network is not verification.
  if (r.verification_failures()) out << verify::kVerifyOffWorkaround << "\n";
  write_captures(r.inputs, out);
}

}  // namespace mratls::scan
