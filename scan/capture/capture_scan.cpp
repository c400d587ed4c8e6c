#include "scan/capture/capture_scan.hpp"

#include <array>
#include <fstream>

namespace mratls::scan::capture {

bool is_capture_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 4> magic{};
  if (!in.read(magic.data(), magic.size())) return false;
  return looks_like_capture(std::span(reinterpret_cast<const std::uint8_t*>(magic.data()), magic.size()));
}

std::expected<CaptureInput, std::string> add_capture_file(const std::string& path, ConnectionTable& table) {
  CaptureInput input{path, {}, 0};
  auto read = read_capture_file(path, [&](const Frame& frame) {
    if (auto segment = decode_packet(frame.link_type, frame.bytes)) {
      ++input.tcp_segments;
      table.add(*segment, frame.time_us);
    }
  });
  if (!read) return std::unexpected(read.error());
  input.read = *read;
  return input;
}

}  // namespace mratls::scan::capture
