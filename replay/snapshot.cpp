#include "replay/snapshot.hpp"

#include <algorithm>

#include "scan/capture/archive_captures.hpp"
#include "scan/masked.hpp"
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
  if (out.stats.traffic_lines == 0 && out.stats.expressway_e > 0)
    return std::unexpected("only Expressway-E's traffic server in the input (" + std::to_string(out.stats.expressway_e) +
                           " entries): the replay reads Expressway-C's diagnostic log, which holds the requests to the nodes");
  if (out.stats.traffic_lines == 0)
    return std::unexpected("no traffic_server line in the input (" + std::to_string(out.stats.lines) +
                           " lines read): is it an Expressway-C diagnostic log?");
  // Expressway-E's lines were set aside as they were recognised; a system recognised late goes too.
  std::erase_if(transactions, [&](const scan::TransactionRecord& t) { return scanner.expressway_e_systems().contains(t.system); });
  if (transactions.empty())
    return std::unexpected("no MRA request with its response in the input (" + std::to_string(out.stats.traffic_lines) +
                           " traffic_server lines, " + std::to_string(out.stats.incomplete_transactions) +
                           " requests without their response, " + std::to_string(out.stats.undecodable_paths) +
                           " paths that are not MRA paths)");
  if (out.stats.incomplete_transactions > 0)
    out.notes.push_back(std::to_string(out.stats.incomplete_transactions) +
                        " requests without their response (a log cut short?) are left out of the replay");
  // An address the customer masked is no address the lab can listen on: one from the
  // documentation range stands in for each masked form, and the comparison knows it for a mask.
  std::vector<std::string> masked;
  for (auto& t : transactions) {
    if (!scan::is_masked_ip(t.host)) continue;
    auto at = std::ranges::find(masked, t.host);
    if (at == masked.end()) {
      if (masked.size() >= 250) continue;
      masked.push_back(t.host);
      at = masked.end() - 1;
      out.notes.push_back("the masked address " + t.host + " stands in as 192.0.2." + std::to_string(masked.size()) +
                          " in the lab");
    }
    t.host = "192.0.2." + std::to_string(at - masked.begin() + 1);
    t.host_is_ip = true;
  }
  if (out.stats.lone_findings > 0)
    out.notes.push_back(std::to_string(out.stats.lone_findings) +
                        " WARNING/ERROR lines tied to no request (no Sending Request to give their port) are not replayed: "
                        "mratls scan reports them");
  out.sites = infer_sites(transactions);
  const auto by_origin = scan::capture::by_origin(handshakes);
  for (auto& site : out.sites) attach_captures(site, by_origin);
  return out;
}

}  // namespace mratls::replay
