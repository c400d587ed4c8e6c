// Packet captures read back: frames decoded to TCP segments, each direction put back in order
// whatever the capture did to it, and the TLS handshake read from real handshakes (OpenSSL
// client and server over memory, certificates made by the lab's PKI).
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <random>

#include "lab/pki.hpp"
#include "scan/capture/packet_decode.hpp"
#include "scan/capture/tcp_direction.hpp"
#include "scan/capture/tls_handshake.hpp"
#include "tls_transcript.hpp"

using namespace mratls;
using namespace mratls::scan::capture;
using mratls::test::der_of;
using mratls::test::ecdsa_self_signed;
using mratls::test::handshake;

namespace {

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST(CaptureTls, Tls12SelfSignedEcdsaChainAndHellos) {
  const auto node = ecdsa_self_signed();
  auto t = handshake(node, {}, TLS1_2_VERSION, "cucm.steven.lab",
                     "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384");
  const auto client = read_tls(t.client_to_server);
  ASSERT_TRUE(client.client_hello) << client.problem;
  EXPECT_EQ(client.client_hello->sni, "cucm.steven.lab");
  EXPECT_EQ(client.client_hello->random_hex, t.client_random_hex);
  ASSERT_GE(client.client_hello->cipher_suites.size(), 2u);
  // The TLS 1.3 suites come first in OpenSSL's list, then the cipher string's order.
  auto first_12 = std::ranges::find_if(client.client_hello->cipher_suites, [](auto s) { return (s >> 8) != 0x13; });
  ASSERT_NE(first_12, client.client_hello->cipher_suites.end());
  EXPECT_EQ(*first_12, 0xc02c);  // ECDHE-ECDSA-AES256-GCM-SHA384
  EXPECT_TRUE(client.encrypted) << "the client's Finished follows its ChangeCipherSpec";

  const auto server = read_tls(t.server_to_client);
  EXPECT_TRUE(server.problem.empty()) << server.problem;
  ASSERT_TRUE(server.server_hello);
  EXPECT_EQ(server.server_hello->version, kTls12);
  EXPECT_EQ(server.server_hello->cipher_suite, 0xc02c);
  ASSERT_TRUE(server.certificate_message);
  ASSERT_EQ(server.certificates.size(), 1u);
  EXPECT_EQ(server.certificates[0], der_of(node));
  EXPECT_TRUE(server.alerts.empty());
}

TEST(CaptureTls, ACaChainIsReadLeafFirst) {
  const auto root = lab::make_ca("Capture Root CA");
  const auto issuing = lab::make_ca("Capture Issuing CA", &root);
  lab::CertSpec spec;
  spec.common_name = "cucm.steven.lab";
  spec.dns_sans = {"cucm.steven.lab"};
  const auto leaf = lab::issue(spec, &issuing);
  auto server = read_tls(handshake(leaf, {issuing}, TLS1_2_VERSION, "cucm.steven.lab").server_to_client);
  ASSERT_EQ(server.certificates.size(), 2u) << server.problem;
  EXPECT_EQ(server.certificates[0], der_of(leaf));
  EXPECT_EQ(server.certificates[1], der_of(issuing));
}

TEST(CaptureTls, Tls13HidesTheCertificate) {
  const auto node = ecdsa_self_signed();
  auto t = handshake(node, {}, TLS1_3_VERSION, "");
  const auto client = read_tls(t.client_to_server);
  ASSERT_TRUE(client.client_hello);
  EXPECT_EQ(client.client_hello->sni, "") << "no SNI: a connection by address";
  EXPECT_NE(std::ranges::find(client.client_hello->supported_versions, kTls13), client.client_hello->supported_versions.end());
  const auto server = read_tls(t.server_to_client);
  ASSERT_TRUE(server.server_hello);
  EXPECT_EQ(server.server_hello->version, kTls13);
  EXPECT_EQ(server.server_hello->cipher_suite >> 8, 0x13);
  EXPECT_FALSE(server.certificate_message);
  EXPECT_TRUE(server.encrypted);
}

TEST(CaptureTls, AlertsGarbageAndTruncation) {
  // A fatal unknown_ca alert in the clear, as a TLS 1.2 node refusing a client certificate sends.
  const std::string alert("\x15\x03\x03\x00\x02\x02\x30", 7);
  auto read = read_tls(alert);
  ASSERT_EQ(read.alerts.size(), 1u);
  EXPECT_EQ(read.alerts[0].level, 2);
  EXPECT_EQ(alert_name(read.alerts[0].description), "unknown_ca");

  EXPECT_EQ(read_tls("GET / HTTP/1.1\r\n\r\n").problem, "not TLS");
  EXPECT_FALSE(read_tls("GET / HTTP/1.1\r\n\r\n").tls);

  const auto node = ecdsa_self_signed();
  const auto whole = handshake(node, {}, TLS1_2_VERSION, "cucm.steven.lab").server_to_client;
  auto cut = read_tls(whole.substr(0, whole.size() / 2));
  EXPECT_EQ(cut.problem, "the capture ends inside a record");
  EXPECT_TRUE(cut.server_hello) << "what came before the cut is still read";
  // A handshake message that claims more than any chain needs ends the reading with a reason.
  EXPECT_EQ(read_tls(std::string("\x16\x03\x03\x00\x04\x0b\xff\xff\xff", 9)).problem, "a handshake message of 16777215 bytes");
}

TEST(CaptureTcp, OutOfOrderRetransmittedAndOverlappingSegmentsReassemble) {
  const auto node = ecdsa_self_signed();
  const auto stream = handshake(node, {}, TLS1_2_VERSION, "cucm.steven.lab").server_to_client;
  constexpr std::uint32_t kIsn = 0xfffffff0;  // wraps round within the stream
  std::vector<std::pair<std::uint32_t, std::string>> segments;
  for (std::size_t at = 0; at < stream.size(); at += 100)
    segments.emplace_back(kIsn + 1 + static_cast<std::uint32_t>(at), stream.substr(at, 100));
  // Retransmissions (the same bytes again) and an overlapping resend of two segments' worth.
  segments.push_back(segments[3]);
  segments.emplace_back(kIsn + 1 + 150, stream.substr(150, 200));
  std::mt19937 shuffle(7);
  std::ranges::shuffle(segments, shuffle);

  TcpDirection direction;
  direction.add(kIsn, true, {});
  for (const auto& [seq, bytes] : segments) direction.add(seq, false, bytes_of(bytes));
  const auto got = direction.contiguous();
  EXPECT_TRUE(got.from_start);
  EXPECT_FALSE(got.gap);
  EXPECT_EQ(got.data, stream);
  EXPECT_EQ(direction.retransmitted_bytes(), 300u);
  EXPECT_EQ(read_tls(got.data).certificates.size(), 1u);
}

TEST(CaptureTcp, MidConnectionGapsAndTheMemoryBound) {
  // No SYN: the stream starts at the lowest byte seen, whatever the order of arrival.
  TcpDirection mid;
  mid.add(1000, false, bytes_of("world"));
  mid.add(995, false, bytes_of("hello"));
  auto got = mid.contiguous();
  EXPECT_FALSE(got.from_start);
  EXPECT_EQ(got.data, "helloworld");

  TcpDirection gap;
  gap.add(99, true, {});
  gap.add(100, false, bytes_of("abc"));
  gap.add(110, false, bytes_of("xyz"));
  got = gap.contiguous();
  EXPECT_EQ(got.data, "abc");
  EXPECT_TRUE(got.gap);

  TcpDirection bounded(8);
  bounded.add(0, true, {});
  bounded.add(1, false, bytes_of("12345"));
  bounded.add(6, false, bytes_of("67890"));  // would exceed the bound: dropped
  EXPECT_EQ(bounded.contiguous().data, "12345");
  EXPECT_LE(bounded.stored(), 8u);
}

namespace {

std::string tcp_header(std::uint16_t from, std::uint16_t to, std::uint32_t seq, std::uint8_t flags) {
  std::string h;
  auto u16 = [&](std::uint32_t v) { h.push_back(static_cast<char>(v >> 8)); h.push_back(static_cast<char>(v)); };
  u16(from);
  u16(to);
  u16(seq >> 16);
  u16(seq & 0xffff);
  u16(0);
  u16(0);
  h.push_back(0x50);  // 20 bytes, no options
  h.push_back(static_cast<char>(flags));
  u16(65535);
  u16(0);
  u16(0);
  return h;
}

std::string ipv4_packet(const std::string& tcp, const std::string& payload) {
  std::string ip("\x45\x00\x00\x00\x00\x01\x40\x00\x40\x06\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02", 20);
  const auto total = ip.size() + tcp.size() + payload.size();
  ip[2] = static_cast<char>(total >> 8);
  ip[3] = static_cast<char>(total);
  return ip + tcp + payload;
}

std::span<const std::uint8_t> span_of(const std::string& s) { return bytes_of(s); }

}  // namespace

TEST(CapturePacket, EthernetVlanCookedLoopbackAndIpv6) {
  const std::string payload = "\x16\x03\x01";
  const auto ip = ipv4_packet(tcp_header(51000, 8443, 77, 0x18), payload);
  const std::string macs(12, '\x01');
  const auto ethernet = macs + std::string("\x08\x00", 2) + ip + std::string(6, '\0');  // padded
  auto s = decode_packet(1, span_of(ethernet));
  ASSERT_TRUE(s);
  EXPECT_EQ(endpoint_text(s->from), "10.0.0.1:51000");
  EXPECT_EQ(endpoint_text(s->to), "10.0.0.2:8443");
  EXPECT_EQ(s->seq, 77u);
  EXPECT_TRUE(s->ack);
  EXPECT_FALSE(s->syn);
  EXPECT_EQ(std::string(s->payload.begin(), s->payload.end()), payload) << "the Ethernet padding is not payload";

  const auto vlan = macs + std::string("\x81\x00\x00\x0a\x08\x00", 6) + ip;
  ASSERT_TRUE(decode_packet(1, span_of(vlan)));
  const auto sll2 = std::string("\x08\x00", 2) + std::string(18, '\0') + ip;
  ASSERT_TRUE(decode_packet(276, span_of(sll2)));
  const auto sll = std::string(14, '\0') + std::string("\x08\x00", 2) + ip;
  ASSERT_TRUE(decode_packet(113, span_of(sll)));
  const auto loopback = std::string("\x02\x00\x00\x00", 4) + ip;
  ASSERT_TRUE(decode_packet(0, span_of(loopback)));
  ASSERT_TRUE(decode_packet(101, span_of(ip)));

  std::string v6("\x60\x00\x00\x00\x00\x00\x06\x40", 8);
  std::string from(16, '\0'), to(16, '\0');
  from[15] = 1;
  to[0] = '\x20';
  to[1] = '\x01';
  to[2] = '\x0d';
  to[3] = '\xb8';
  to[15] = 2;
  const auto tcp6 = tcp_header(51000, 443, 5, 0x02);
  v6[5] = static_cast<char>(tcp6.size());
  auto six = decode_packet(101, span_of(v6 + from + to + tcp6));
  ASSERT_TRUE(six);
  EXPECT_EQ(endpoint_text(six->from), "[::1]:51000");
  EXPECT_EQ(endpoint_text(six->to), "[2001:db8::2]:443");
  EXPECT_TRUE(six->syn);

  // Cut anywhere short of the TCP header: not a segment, never a read past the end.
  for (std::size_t n = 0; n < 14 + 20 + 20; ++n) EXPECT_FALSE(decode_packet(1, span_of(ethernet.substr(0, n)))) << n;
  // Not TCP: UDP; a later fragment.
  auto udp = ip;
  udp[9] = 17;
  EXPECT_FALSE(decode_packet(101, span_of(udp)));
  auto fragment = ip;
  fragment[7] = 0x10;
  EXPECT_FALSE(decode_packet(101, span_of(fragment)));
}
