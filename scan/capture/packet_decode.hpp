// One captured frame down to its TCP segment: the link layers tcpdump writes on an appliance
// or a lab host (Ethernet with VLAN tags, Linux cooked v1/v2, loopback, raw IP), then IPv4 or
// IPv6 and TCP. Pure: bytes in, a segment that points into them out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace mratls::scan::capture {

// The pcap link-layer header types read here (the LINKTYPE_ numbers of the file format).
enum class LinkType : std::uint32_t {
  Null = 0,        // BSD loopback: the address family in host byte order
  Ethernet = 1,
  Raw = 101,       // raw IPv4 or IPv6
  RawOld = 12,     // DLT_RAW on some systems
  Loop = 108,      // OpenBSD loopback: the family in network byte order
  LinuxSll = 113,  // tcpdump -i any, before libpcap 1.10
  LinuxSll2 = 276, // tcpdump -i any since
};

struct Endpoint {
  std::string address;  // dotted IPv4, or IPv6 in its RFC 5952 text form
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
};

struct TcpSegment {
  Endpoint from;
  Endpoint to;
  std::uint32_t seq = 0;
  bool syn = false;
  bool ack = false;
  bool fin = false;
  bool rst = false;
  std::span<const std::uint8_t> payload;  // into the frame
};

// The TCP segment of a frame, or nothing for what is not TCP (ARP, UDP, a later IP fragment, a
// frame cut short by the snap length before the TCP header).
std::optional<TcpSegment> decode_packet(std::uint32_t link_type, std::span<const std::uint8_t> frame);

std::string endpoint_text(const Endpoint& e);  // 10.0.0.1:8443, [2001:db8::1]:8443

}  // namespace mratls::scan::capture
