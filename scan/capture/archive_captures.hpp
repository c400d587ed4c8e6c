// Packet captures inside what libarchive reads: the members of a snapshot .tar.gz that are
// captures, or a compressed capture (capture.pcap.gz). Each is streamed through libpcap from
// the archive, never extracted or loaded whole, into a connection table of its own.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "scan/capture/capture_scan.hpp"

namespace mratls::scan::capture {

struct CaptureScan {
  CaptureInput input;  // input.name: "archive:member", or the file for a compressed capture
  std::vector<Handshake> handshakes;
  std::uint64_t connections_not_read = 0;
};

struct ArchiveCaptures {
  std::vector<CaptureScan> captures;
  bool whole_file_is_capture = false;  // a compressed capture, not an archive of several files
};

// A file libarchive cannot open gives no captures and no error: the log reader reports it.
std::expected<ArchiveCaptures, std::string> read_archive_captures(const std::string& path);

// A plain capture file, into a table of its own.
std::expected<CaptureScan, std::string> read_capture_scan(const std::string& path);

}  // namespace mratls::scan::capture
