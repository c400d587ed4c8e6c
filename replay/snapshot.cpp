#include "replay/snapshot.hpp"

#include "scan/capture/archive_captures.hpp"
#include "scan/capture/capture_scan.hpp"
#include "replay/site_captures.hpp"

namespace mratls::replay {

std::expected<Snapshot, std::string> read_snapshot(const std::vector<std::string>& files) {
  Snapshot out;
  std::vector<std::string> logs;
  std::vector<scan::capture::CaptureScan> captures;
  // Captures are told apart by their first bytes, also inside archives, as scan does.
  for (const auto& file : files) {
    if (scan::capture::is_capture_file(file)) {
      auto read = scan::capture::read_capture_scan(file);
      if (!read) return std::unexpected(read.error());
      captures.push_back(std::move(*read));
      continue;
    }
    auto inside = scan::capture::read_archive_captures(file);
    if (!inside) return std::unexpected(inside.error());
    for (auto& c : inside->captures) captures.push_back(std::move(c));
    if (!inside->whole_file_is_capture) logs.push_back(file);
  }
  std::vector<scan::capture::Handshake> handshakes;
  for (const auto& c : captures) {
    if (!c.input.read.truncated.empty())
      out.notes.push_back(c.input.name + ": the capture is cut short after " + std::to_string(c.input.read.frames) +
                          " frames (" + c.input.read.truncated + "); read up to there");
    handshakes.insert(handshakes.end(), c.handshakes.begin(), c.handshakes.end());
  }
  out.captures = captures.size();
  if (logs.empty()) return std::unexpected("no log file among the inputs (the replay reads the traffic server's lines)");
  std::vector<scan::TransactionRecord> transactions;
  scan::Scanner scanner;
  scanner.on_transaction([&](const scan::TransactionRecord& t) { transactions.push_back(t); });
  if (auto read = scan::scan_files(logs, scanner, out.skipped); !read) return std::unexpected(read.error());
  out.stats = scanner.stats();
  if (out.stats.traffic_lines == 0)
    return std::unexpected("no traffic_server line in the input (" + std::to_string(out.stats.lines) +
                           " lines read): is it an Expressway-C diagnostic log?");
  if (transactions.empty())
    return std::unexpected("no MRA request with its response in the input (" + std::to_string(out.stats.traffic_lines) +
                           " traffic_server lines, " + std::to_string(out.stats.incomplete_transactions) +
                           " requests without their response, " + std::to_string(out.stats.undecodable_paths) +
                           " paths that are not MRA paths)");
  if (out.stats.incomplete_transactions > 0)
    out.notes.push_back(std::to_string(out.stats.incomplete_transactions) +
                        " requests without their response (a log cut short?) are left out of the replay");
  out.sites = infer_sites(transactions);
  const auto by_origin = scan::capture::by_origin(handshakes);
  for (auto& site : out.sites) attach_captures(site, by_origin);
  return out;
}

}  // namespace mratls::replay
