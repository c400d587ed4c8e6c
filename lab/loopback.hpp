// The loopback block a lab run listens in. The nodes keep the real ports (8443, 6970, 6972,
// 443) because the MRA path carries them, so two labs, or a lab and the test suite, can only
// stay apart by address: each run takes a /24 of 127/8 that nothing listens in, or the one
// `--loopback 127.X.Y.0/24` pins.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mratls::lab {

struct LoopbackBlock {
  std::uint8_t second = 0;
  std::uint8_t third = 10;

  std::string address(int host) const;  // 127.second.third.host
  std::string cidr() const;             // 127.second.third.0/24
  bool operator==(const LoopbackBlock&) const = default;
};

// "127.X.Y.0/24", as --loopback takes it; the error says what is wrong with the text.
std::expected<LoopbackBlock, std::string> parse_loopback_block(std::string_view text);

// The blocks a run tries, in order: 127.0.10.0/24, 127.0.11.0/24, ... The first lab on a
// machine gets the same block every time, which keeps a presenter's notes valid.
LoopbackBlock candidate_block(int index);
inline constexpr int kCandidateBlocks = 256;

struct ListenPoint {
  std::string address;
  std::uint16_t port = 0;
};
struct BusyPoint {
  std::string where;  // "127.0.10.11:8443"
  int error = 0;      // errno of the bind: EADDRINUSE, or EACCES for a port below 1024 without the right
};
// The first point that cannot take a listener now (another listener on the same address and
// port, or on the wildcard address, or no right to the port), or nothing when all can.
std::optional<BusyPoint> first_busy(const std::vector<ListenPoint>& points);

}  // namespace mratls::lab
