// Real TLS handshakes between an OpenSSL client and server over memory, with the bytes each
// side wrote kept apart: what a capture of that connection would carry, for the capture reader's
// tests. And those bytes written as a pcap file through libpcap's dump API, cut into segments.
#pragma once

#include <ctime>

#include <cstdint>
#include <string>
#include <vector>

#include "lab/pki.hpp"

namespace mratls::test {

struct Transcript {
  std::string client_to_server;
  std::string server_to_client;
  std::string client_random_hex;
};

Transcript handshake(const lab::Issued& server_cert, const std::vector<lab::Issued>& chain, int max_version,
                     const std::string& sni, const char* client_ciphers = nullptr);

std::string der_of(const lab::Issued& issued);

// The seed's node certificate: self-signed ECDSA P-256 with CA:TRUE, CN cucm-EC.steven.lab.
lab::Issued ecdsa_self_signed();

// One TCP segment of a capture: which side sent it, at what offset of its direction's stream.
struct CapturedSegment {
  bool from_client = true;
  std::size_t offset = 0;
  std::string bytes;
  bool syn = false;
};

// The transcript cut into segments of `size` bytes, client and server in turn, a SYN from each
// side first (omitted with `mid_connection`).
std::vector<CapturedSegment> segments_of(const Transcript& t, std::size_t size, bool mid_connection = false);

// Writes an Ethernet pcap of the segments between client and server (IPv4 addresses and ports),
// captured from `start` on (0: now).
void write_pcap(const std::string& path, const std::vector<CapturedSegment>& segments, const std::string& client_ip,
                std::uint16_t client_port, const std::string& server_ip, std::uint16_t server_port, std::time_t start = 0);

}  // namespace mratls::test
