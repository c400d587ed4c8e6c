// One direction of a TCP connection put back in order, far enough to read a TLS handshake:
// segments out of order, retransmitted (whole or overlapping), or a capture that begins in the
// middle of the connection. Memory is bounded: once `limit` bytes are held, later ones are dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace mratls::scan::capture {

class TcpDirection {
 public:
  explicit TcpDirection(std::size_t limit = 64 * 1024) : limit_(limit) {}

  void add(std::uint32_t seq, bool syn, std::span<const std::uint8_t> payload);

  struct Bytes {
    std::string data;       // in order from the start of the direction (or the first byte seen)
    bool from_start = false;  // the SYN was seen: `data` begins with the connection's first byte
    bool gap = false;         // bytes after `data` are known but some before them are missing
  };
  Bytes contiguous() const;

  std::size_t stored() const { return stored_; }
  std::uint64_t segments() const { return segments_; }
  std::uint64_t retransmitted_bytes() const { return retransmitted_; }

 private:
  // Sequence numbers as offsets from the first one seen, widened so that wrap-around and
  // segments before the first seen compare correctly.
  std::int64_t offset_of(std::uint32_t seq) const {
    return static_cast<std::int64_t>(static_cast<std::int32_t>(seq - anchor_));
  }

  std::size_t limit_;
  bool anchored_ = false;
  std::uint32_t anchor_ = 0;
  bool syn_seen_ = false;
  std::int64_t start_ = 0;                    // the offset of the first data byte, once known
  std::map<std::int64_t, std::string> held_;  // offset → bytes, never overlapping
  std::size_t stored_ = 0;
  std::uint64_t segments_ = 0;
  std::uint64_t retransmitted_ = 0;
};

}  // namespace mratls::scan::capture
