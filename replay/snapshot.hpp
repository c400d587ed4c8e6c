// The evidence a replay starts from, read with scan's reader: the transactions of every log
// file and snapshot archive, grouped into one site model per Expressway-C system.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "replay/site_model.hpp"
#include "scan/scanner.hpp"

namespace mratls::replay {

struct Snapshot {
  std::vector<SiteModel> sites;
  scan::ScanStats stats;
  std::vector<std::string> skipped;  // archive members and files that are not logs
  std::vector<std::string> notes;    // what was read but not used, said once each
  std::size_t captures = 0;          // packet captures read
};

// Fails, naming the file, when nothing can be read, or when no line is an MRA request.
std::expected<Snapshot, std::string> read_snapshot(const std::vector<std::string>& files);

}  // namespace mratls::replay
