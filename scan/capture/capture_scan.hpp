// A capture file into the connection table: every frame decoded, its TCP segment added.
#pragma once

#include <expected>
#include <string>

#include "scan/capture/capture_file.hpp"
#include "scan/capture/connections.hpp"

namespace mratls::scan::capture {

struct CaptureInput {
  std::string name;
  CaptureRead read;
  std::uint64_t tcp_segments = 0;
};

// Whether the file starts as a pcap or pcapng capture does (false when it cannot be read).
bool is_capture_file(const std::string& path);

std::expected<CaptureInput, std::string> add_capture_file(const std::string& path, ConnectionTable& table);

}  // namespace mratls::scan::capture
