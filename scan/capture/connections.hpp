// The TCP connections of a capture, each direction reassembled and its TLS handshake read.
// Which side is the client: the sender of the first SYN; failing that (a capture that began
// mid-connection), the side whose stream opens with a ClientHello; failing that, the side
// on the higher port. Memory is bounded by a connection count, a per-direction limit and a
// budget over all of them; what they leave out is counted.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "scan/capture/packet_decode.hpp"
#include "scan/capture/tcp_direction.hpp"
#include "scan/capture/tls_handshake.hpp"

namespace mratls::scan::capture {

struct Handshake {
  Endpoint client;
  Endpoint server;
  std::int64_t first_us = 0;
  bool from_start = false;  // the SYN was captured
  bool gap = false;         // bytes missing in either direction: the reading stops at the hole
  TlsRead from_client;
  TlsRead from_server;
};

class ConnectionTable {
 public:
  explicit ConnectionTable(std::size_t max_connections = 4096, std::size_t per_direction = 64 * 1024,
                           std::size_t budget = 64 * 1024 * 1024)
      : max_connections_(max_connections), per_direction_(per_direction), budget_(budget) {}

  void add(const TcpSegment& segment, std::int64_t time_us);

  // Every connection that carried bytes, in the order of their first frame.
  std::vector<Handshake> handshakes() const;
  std::uint64_t connections_not_read() const { return not_read_; }
  bool budget_spent() const { return held_ >= budget_; }

 private:
  struct Connection {
    Endpoint a, b;  // a < b
    std::int64_t first_us = 0;
    std::uint64_t order = 0;
    int syn_from = -1;  // 0: a sent the first SYN without ACK; 1: b
    TcpDirection from_a, from_b;
  };
  std::size_t max_connections_;
  std::size_t per_direction_;
  std::size_t budget_;
  std::size_t held_ = 0;
  std::map<std::pair<Endpoint, Endpoint>, Connection> connections_;
  std::uint64_t not_read_ = 0;
};

}  // namespace mratls::scan::capture
