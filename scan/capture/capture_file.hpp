// Packet captures through libpcap: pcap and pcapng, from a file or from any stdio stream (an
// archive member streamed through, never loaded whole). Frames are handed over one at a time,
// so memory stays bounded by the largest frame.
#pragma once

#include <cstdint>
#include <cstdio>
#include <expected>
#include <functional>
#include <span>
#include <string>

namespace mratls::scan::capture {

struct Frame {
  std::int64_t time_us = 0;
  std::uint32_t link_type = 0;
  std::span<const std::uint8_t> bytes;  // valid during the call only
};
using FrameSink = std::function<void(const Frame&)>;

struct CaptureRead {
  std::uint64_t frames = 0;
  std::uint32_t link_type = 0;
  std::string format;     // pcap | pcapng
  std::string truncated;  // why reading stopped before the end ("" when it did not)
};

// The first bytes of a pcap (either byte order, micro- or nanosecond) or pcapng file.
bool looks_like_capture(std::span<const std::uint8_t> first_bytes);

// Errors name `name`: not a capture, an unsupported link type, a header cut short. A capture
// that ends inside a frame is read up to there, with `truncated` saying so.
std::expected<CaptureRead, std::string> read_capture(std::FILE* stream, const std::string& name, const FrameSink& sink);
std::expected<CaptureRead, std::string> read_capture_file(const std::string& path, const FrameSink& sink);

}  // namespace mratls::scan::capture
