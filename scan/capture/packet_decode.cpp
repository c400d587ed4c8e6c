#include "scan/capture/packet_decode.hpp"

#include <arpa/inet.h>

#include "mra/mra_path.hpp"
#include "scan/capture/bytes.hpp"

namespace mratls::scan::capture {
namespace {

constexpr std::uint32_t kEtherIpv4 = 0x0800;
constexpr std::uint32_t kEtherIpv6 = 0x86dd;
constexpr std::uint32_t kEtherVlan = 0x8100;
constexpr std::uint32_t kEtherQinQ = 0x88a8;
constexpr std::uint32_t kProtoTcp = 6;

std::string address_text(int family, std::span<const std::uint8_t> raw) {
  // A frame cut short gives an empty span here: the caller refuses it afterwards.
  if (raw.size() != (family == AF_INET ? 4u : 16u)) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(family, raw.data(), text, sizeof text)) return "";
  return text;
}

std::optional<TcpSegment> tcp(ByteReader& in, std::string from, std::string to) {
  TcpSegment s;
  s.from = {std::move(from), static_cast<std::uint16_t>(in.u16())};
  s.to = {std::move(to), static_cast<std::uint16_t>(in.u16())};
  s.seq = in.u32();
  in.skip(4);  // acknowledgement number
  const auto offset_and_flags = in.u16();
  const std::size_t header = ((offset_and_flags >> 12) & 0xf) * 4;
  s.fin = offset_and_flags & 0x01;
  s.syn = offset_and_flags & 0x02;
  s.rst = offset_and_flags & 0x04;
  s.ack = offset_and_flags & 0x10;
  in.skip(6);  // window, checksum, urgent pointer
  if (!in.ok() || header < 20) return std::nullopt;
  in.skip(header - 20);  // options
  if (!in.ok()) return std::nullopt;
  s.payload = in.rest();
  return s;
}

std::optional<TcpSegment> ipv4(ByteReader in) {
  const auto version_ihl = in.u8();
  if ((version_ihl >> 4) != 4) return std::nullopt;
  const std::size_t header = (version_ihl & 0xf) * 4;
  in.skip(1);
  const std::size_t total = in.u16();
  in.skip(2);
  const auto fragment = in.u16();
  in.skip(1);
  const auto protocol = in.u8();
  in.skip(2);
  auto from = address_text(AF_INET, in.bytes(4));
  auto to = address_text(AF_INET, in.bytes(4));
  // A later fragment has no TCP header; a first fragment's payload is not the whole segment.
  if (!in.ok() || header < 20 || protocol != kProtoTcp || (fragment & 0x3fff) != 0) return std::nullopt;
  in.skip(header - 20);
  if (!in.ok() || total < header) return std::nullopt;
  // Ethernet pads short frames: the IP total length says where the packet ends.
  ByteReader packet(in.bytes(std::min(total - header, in.left())));
  return tcp(packet, std::move(from), std::move(to));
}

std::optional<TcpSegment> ipv6(ByteReader in) {
  if ((in.u8() >> 4) != 6) return std::nullopt;
  in.skip(3);
  const std::size_t payload = in.u16();
  auto next = in.u8();
  in.skip(1);
  auto from = address_text(AF_INET6, in.bytes(16));
  auto to = address_text(AF_INET6, in.bytes(16));
  if (!in.ok()) return std::nullopt;
  ByteReader packet(in.bytes(std::min(payload, in.left())));
  // Extension headers before TCP: hop-by-hop, routing, destination options. A fragment is not
  // reassembled (TLS over TCP is not fragmented at the IP layer on the paths this reads).
  for (int hops = 0; next != kProtoTcp; ++hops) {
    if (hops > 8 || (next != 0 && next != 43 && next != 60)) return std::nullopt;
    next = packet.u8();
    const std::size_t length = (packet.u8() + 1) * 8;
    packet.skip(length - 2);
    if (!packet.ok()) return std::nullopt;
  }
  return tcp(packet, std::move(from), std::move(to));
}

std::optional<TcpSegment> by_ethertype(std::uint32_t type, ByteReader in) {
  if (type == kEtherIpv4) return ipv4(in);
  if (type == kEtherIpv6) return ipv6(in);
  return std::nullopt;
}

// The family numbers of BSD loopback headers differ between systems for IPv6.
std::optional<TcpSegment> by_family(std::uint32_t family, ByteReader in) {
  if (family == 2) return ipv4(in);
  if (family == 10 || family == 24 || family == 28 || family == 30) return ipv6(in);
  return std::nullopt;
}

}  // namespace

std::optional<TcpSegment> decode_packet(std::uint32_t link_type, std::span<const std::uint8_t> frame) {
  ByteReader in(frame);
  switch (static_cast<LinkType>(link_type)) {
    case LinkType::Ethernet: {
      in.skip(12);
      auto type = in.u16();
      for (int tags = 0; (type == kEtherVlan || type == kEtherQinQ) && tags < 2; ++tags) {
        in.skip(2);
        type = in.u16();
      }
      if (!in.ok()) return std::nullopt;
      return by_ethertype(type, in);
    }
    case LinkType::LinuxSll: {
      in.skip(14);
      const auto type = in.u16();
      if (!in.ok()) return std::nullopt;
      return by_ethertype(type, in);
    }
    case LinkType::LinuxSll2: {
      const auto type = in.u16();
      in.skip(18);
      if (!in.ok()) return std::nullopt;
      return by_ethertype(type, in);
    }
    case LinkType::Null: {
      auto raw = in.bytes(4);
      if (!in.ok()) return std::nullopt;
      // Host byte order of the machine that wrote it: either order gives a small number.
      const std::uint32_t little = raw[0] | (raw[1] << 8) | (raw[2] << 16) | (static_cast<std::uint32_t>(raw[3]) << 24);
      const std::uint32_t big = raw[3] | (raw[2] << 8) | (raw[1] << 16) | (static_cast<std::uint32_t>(raw[0]) << 24);
      return by_family(little < 256 ? little : big, in);
    }
    case LinkType::Loop: {
      const auto family = in.u32();
      if (!in.ok()) return std::nullopt;
      return by_family(family, in);
    }
    case LinkType::Raw:
    case LinkType::RawOld: {
      ByteReader peek(frame);
      const auto version = peek.u8() >> 4;
      if (version == 4) return ipv4(in);
      if (version == 6) return ipv6(in);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string endpoint_text(const Endpoint& e) {
  return mra::host_port(e.address, e.port);
}

}  // namespace mratls::scan::capture
