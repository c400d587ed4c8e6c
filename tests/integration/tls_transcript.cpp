#include "tls_transcript.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <pcap/pcap.h>

#include <ctime>
#include <memory>
#include <stdexcept>

namespace mratls::test {
namespace {

using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;

std::string drain(BIO* bio) {
  std::string out;
  char buf[4096];
  for (int n; (n = BIO_read(bio, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

}  // namespace

Transcript handshake(const lab::Issued& server_cert, const std::vector<lab::Issued>& chain, int max_version,
                     const std::string& sni, const char* client_ciphers) {
  ossl::SslCtxPtr server_ctx(SSL_CTX_new(TLS_server_method()));
  ossl::SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_use_certificate(server_ctx.get(), server_cert.cert.get());
  SSL_CTX_use_PrivateKey(server_ctx.get(), server_cert.key.get());
  for (const auto& c : chain) SSL_CTX_add1_chain_cert(server_ctx.get(), c.cert.get());
  SSL_CTX_set_max_proto_version(server_ctx.get(), max_version);
  if (client_ciphers) SSL_CTX_set_cipher_list(client_ctx.get(), client_ciphers);
  SslPtr server(SSL_new(server_ctx.get()), SSL_free);
  SslPtr client(SSL_new(client_ctx.get()), SSL_free);
  BIO* c2s = BIO_new(BIO_s_mem());
  BIO* s2c = BIO_new(BIO_s_mem());
  BIO_up_ref(c2s);
  BIO_up_ref(s2c);
  SSL_set_bio(client.get(), s2c, c2s);  // the client reads s2c and writes c2s
  SSL_set_bio(server.get(), c2s, s2c);
  if (!sni.empty()) SSL_set_tlsext_host_name(client.get(), sni.c_str());
  SSL_set_connect_state(client.get());
  SSL_set_accept_state(server.get());
  Transcript t;
  for (int round = 0; round < 10; ++round) {
    SSL_do_handshake(client.get());
    // What the client wrote is in c2s until the server reads it: copy it out first.
    std::string from_client = drain(c2s);
    t.client_to_server += from_client;
    BIO_write(c2s, from_client.data(), static_cast<int>(from_client.size()));
    SSL_do_handshake(server.get());
    std::string from_server = drain(s2c);
    t.server_to_client += from_server;
    BIO_write(s2c, from_server.data(), static_cast<int>(from_server.size()));
    if (SSL_is_init_finished(client.get()) && SSL_is_init_finished(server.get())) break;
  }
  EXPECT_TRUE(SSL_is_init_finished(client.get()));
  unsigned char random[32];
  SSL_get_client_random(client.get(), random, sizeof random);
  static constexpr char kHex[] = "0123456789abcdef";
  for (auto b : random) {
    t.client_random_hex.push_back(kHex[b >> 4]);
    t.client_random_hex.push_back(kHex[b & 0xf]);
  }
  return t;
}

std::string der_of(const lab::Issued& issued) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(issued.cert.get(), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}


lab::Issued ecdsa_self_signed() {
  lab::CertSpec spec;
  spec.common_name = "cucm-EC.steven.lab";
  spec.dns_sans = {"cucm.steven.lab"};
  spec.is_ca = true;
  spec.key_type = lab::KeyType::EcdsaP256;
  return lab::issue(spec, nullptr);
}

std::vector<CapturedSegment> segments_of(const Transcript& t, std::size_t size, bool mid_connection) {
  std::vector<CapturedSegment> out;
  if (!mid_connection) {
    out.push_back({true, 0, "", true});
    out.push_back({false, 0, "", true});
  }
  // The handshake's flights in turn: the client's first, then the server's, and so on, is
  // close enough for a reader that keeps each direction apart.
  const std::size_t begin = mid_connection ? size : 0;
  for (std::size_t at = begin; at < std::max(t.client_to_server.size(), t.server_to_client.size()); at += size) {
    if (at < t.client_to_server.size()) out.push_back({true, at, t.client_to_server.substr(at, size), false});
    if (at < t.server_to_client.size()) out.push_back({false, at, t.server_to_client.substr(at, size), false});
  }
  return out;
}

void write_pcap(const std::string& path, const std::vector<CapturedSegment>& segments, const std::string& client_ip,
                std::uint16_t client_port, const std::string& server_ip, std::uint16_t server_port, std::time_t start) {
  std::unique_ptr<pcap_t, decltype(&pcap_close)> dead(pcap_open_dead(DLT_EN10MB, 65535), pcap_close);
  std::unique_ptr<pcap_dumper_t, decltype(&pcap_dump_close)> dump(pcap_dump_open(dead.get(), path.c_str()), pcap_dump_close);
  if (!dump) throw std::runtime_error(path + ": " + pcap_geterr(dead.get()));
  constexpr std::uint32_t kClientIsn = 1000, kServerIsn = 500000;
  in_addr client{}, server{};
  inet_pton(AF_INET, client_ip.c_str(), &client);
  inet_pton(AF_INET, server_ip.c_str(), &server);
  long usec = 0;
  if (start == 0) start = std::time(nullptr);
  for (const auto& s : segments) {
    std::string frame(12, '\x02');
    frame += std::string("\x08\x00", 2);
    std::string ip("\x45\x00\x00\x00\x00\x01\x40\x00\x40\x06\x00\x00", 12);
    const auto& from = s.from_client ? client : server;
    const auto& to = s.from_client ? server : client;
    ip.append(reinterpret_cast<const char*>(&from), 4);
    ip.append(reinterpret_cast<const char*>(&to), 4);
    std::string tcp;
    auto u16 = [&](std::uint32_t v) {
      tcp.push_back(static_cast<char>(v >> 8));
      tcp.push_back(static_cast<char>(v));
    };
    u16(s.from_client ? client_port : server_port);
    u16(s.from_client ? server_port : client_port);
    const std::uint32_t seq = (s.from_client ? kClientIsn : kServerIsn) + (s.syn ? 0 : 1 + static_cast<std::uint32_t>(s.offset));
    u16(seq >> 16);
    u16(seq & 0xffff);
    u16(0);
    u16(0);
    tcp.push_back(0x50);
    tcp.push_back(static_cast<char>(s.syn ? (s.from_client ? 0x02 : 0x12) : 0x18));
    u16(65535);
    u16(0);
    u16(0);
    const auto total = ip.size() + tcp.size() + s.bytes.size();
    ip[2] = static_cast<char>(total >> 8);
    ip[3] = static_cast<char>(total);
    frame += ip + tcp + s.bytes;
    pcap_pkthdr header{};
    header.ts.tv_sec = start;  // now: the certificates made for the test are valid then
    header.ts.tv_usec = usec++;
    header.caplen = header.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dump.get()), &header, reinterpret_cast<const u_char*>(frame.data()));
  }
}

}  // namespace mratls::test
