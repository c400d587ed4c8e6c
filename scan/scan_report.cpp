#include "scan/scan_report.hpp"

#include <algorithm>

#include "mra/mra_path.hpp"
#include "scan/outcome_text.hpp"
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

// "cucm.steven.lab:6972", or the name alone when no request tells the port.
std::string origin_name(const OriginSummary& og) {
  return og.port ? mra::host_port(og.host, static_cast<std::uint16_t>(og.port)) : (og.host.empty() ? "(no origin named)" : og.host) + " (port not known)";
}

std::string read_summary(const ScanStats& st) {
  std::string out = "read " + std::to_string(st.lines) + " lines, " + std::to_string(st.entries) + " entries: " +
                    std::to_string(st.traffic_lines) + " traffic_server, " + std::to_string(st.foreign_lines) +
                    " from other programs, " + std::to_string(st.garbled_lines) + " garbled or truncated";
  auto part = [&](std::uint64_t n, const char* what) {
    if (n) out += ", " + std::to_string(n) + " " + what;
  };
  part(st.other_modules, "of other traffic_server modules (set aside)");
  part(st.expressway_e, "of Expressway-E's traffic server (set aside)");
  part(st.entries_cut, "cut at 64 KiB");
  part(st.separators, "separator lines");
  part(st.loose_text, "lines of text outside any entry");
  out += "; " + std::to_string(st.incomplete_transactions) + " transactions without their response";
  if (st.without_receive) out += "; " + std::to_string(st.without_receive) + " requests without their Receive Request";
  if (st.outside_window) out += "; " + std::to_string(st.outside_window) + " outside --since/--until";
  return out;
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
  report.edge_answers = scanner.edge_answers();
  const auto& st = report.stats;
  if (st.traffic_lines == 0 && st.expressway_e == 0 && report.inputs.captures.empty())
    return std::unexpected("no traffic_server line in the input (" + read_summary(st) + ")");
  report.has_logs = st.traffic_lines > 0 || st.expressway_e > 0;
  return report;
}

bool ScanReport::findings() const {
  return std::ranges::any_of(inputs.capture_origins, capture::shows_failure) ||
         (has_logs && std::ranges::any_of(origins, [](const auto& og) { return og.troubled(); })) || !edge_answers.empty();
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
                       {"undecodable_paths", st.undecodable_paths}, {"entries", st.entries},
                       {"other_modules", st.other_modules}, {"expressway_e", st.expressway_e},
                       {"separators", st.separators}, {"loose_text", st.loose_text}, {"entries_cut", st.entries_cut},
                       {"without_receive_request", st.without_receive}, {"lone_findings", st.lone_findings}}},
                     {"skipped", r.skipped}};
  out["origins"] = nlohmann::json::array();
  for (const auto& og : r.origins) {
    nlohmann::json ev = nlohmann::json::array();
    for (const auto& e : og.evidence) ev.push_back({{"decoded", e.decoded}, {"lines", e.lines}});
    out["origins"].push_back({{"origin", origin_name(og)}, {"host", og.host}, {"port", og.port},
                              {"requests", og.requests}, {"ok", og.ok}, {"failed", og.failed}, {"denied", og.denied},
                              {"warned", og.warned}, {"lone_findings", og.lone},
                              {"first_failure", og.first_failure}, {"last_failure", og.last_failure},
                              {"signature", verify::to_string(og.diagnosis.cause)}, {"summary", og.diagnosis.summary},
                              {"fix", og.diagnosis.fix}, {"fixes", og.diagnosis.fixes}, {"notes", og.notes},
                              {"evidence", ev}});
  }
  out["expressway_e"] = nlohmann::json::array();
  for (const auto& a : r.edge_answers)
    out["expressway_e"].push_back({{"system", a.system}, {"status", a.status}, {"reason", a.reason}, {"count", a.count},
                                   {"meaning", edge_answer_meaning(a.status)}, {"line", a.first_line}});
  if (!r.inputs.captures.empty()) out["captures"] = captures_json(r.inputs);
  return out;
}

void write_text(const ScanReport& r, bool evidence, std::ostream& out) {
  if (!r.has_logs) {
    write_captures(r.inputs, out);
    return;
  }
  const auto& st = r.stats;
  out << "Origins (" << st.transactions << " transactions from " << st.traffic_lines << " traffic_server entries):\n";
  for (const auto& og : r.origins) {
    out << "\n" << origin_name(og) << "  requests " << og.requests << ", 2xx " << og.ok << ", failed " << og.failed
        << (og.denied ? ", denied " + std::to_string(og.denied) : std::string())
        << (og.lone ? ", lines without a request " + std::to_string(og.lone) : std::string());
    if (!og.troubled()) {
      out << "  healthy\n";
      continue;
    }
    if (og.failed + og.denied + og.lone == 0)
      out << "\n  passes only because of log-only: " << og.warned << " request" << (og.warned == 1 ? "" : "s")
          << " warned with Action=Continue, which VerifyOriginServer On refuses (log-only is this emulator's preview, "
             "Traffic Server's permissive policy; Expressway has On and Off only)";
    else
      out << "\n  failing " << og.first_failure << " .. " << og.last_failure;
    out << "\n  signature: " << verify::to_string(og.diagnosis.cause) << ": " << og.diagnosis.summary << "\n";
    if (og.diagnosis.fixes.size() > 1) {
      out << "  fixes, in order:\n";
      for (std::size_t i = 0; i < og.diagnosis.fixes.size(); ++i) out << "    " << i + 1 << ". " << og.diagnosis.fixes[i] << "\n";
    } else if (!og.diagnosis.fix.empty()) {
      out << "  fix: " << og.diagnosis.fix << "\n";
    }
    for (const auto& n : og.notes) out << "  note: " << n << "\n";
    if (!evidence) continue;
    for (const auto& e : og.evidence) {
      out << "  evidence: " << e.decoded << "\n";
      for (const auto& l : e.lines) out << "    " << l << "\n";
    }
  }
  for (const auto& a : r.edge_answers)
    out << "\nExpressway-E " << a.system << " answered " << a.status << " " << a.reason << " itself, " << a.count
        << (a.count == 1 ? " time" : " times") << ": " << edge_answer_meaning(a.status) << "\n  evidence: " << a.first_line << "\n";
  out << "\n" << read_summary(st) << "\n";
  for (const auto& s : r.skipped) out << "skipped " << s << "\n";
  // Only where it would help: a refused client certificate or the network is not verification.
  if (r.verification_failures()) out << verify::kVerifyOffWorkaround << "\n";
  write_captures(r.inputs, out);
}

}  // namespace mratls::scan
