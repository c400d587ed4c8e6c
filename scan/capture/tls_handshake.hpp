// What one direction of a TLS connection shows in the clear: the ClientHello (SNI, offered
// cipher suites and versions), the ServerHello (version and suite chosen), under TLS 1.2 and
// earlier the Certificate message (the chain presented), and alerts. Pure: the reassembled
// bytes of a direction in, plain values out; a hostile stream ends the reading with a reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mratls::scan::capture {

inline constexpr std::uint16_t kTls12 = 0x0303;
inline constexpr std::uint16_t kTls13 = 0x0304;

struct ClientHello {
  std::uint16_t legacy_version = 0;
  std::string random_hex;  // the key log's join key
  std::string sni;         // empty when the client sent none (connections by IP address)
  std::vector<std::uint16_t> cipher_suites;       // in the client's order, GREASE values removed
  std::vector<std::uint16_t> supported_versions;  // the extension, GREASE removed; empty: legacy_version only
};

struct ServerHello {
  std::uint16_t version = 0;  // the negotiated one: supported_versions when present
  std::uint16_t cipher_suite = 0;
  bool hello_retry_request = false;
};

struct Alert {
  bool encrypted = false;  // after ChangeCipherSpec: its level and description cannot be read
  std::uint8_t level = 0;  // 1 warning, 2 fatal
  std::uint8_t description = 0;
};

struct TlsRead {
  bool tls = false;  // the direction starts with a TLS record
  std::optional<ClientHello> client_hello;
  std::optional<ServerHello> server_hello;
  bool certificate_message = false;
  std::vector<std::string> certificates;  // DER, as sent: the leaf first
  std::vector<Alert> alerts;
  bool encrypted = false;  // ChangeCipherSpec or application data reached: the rest is not readable
  std::string problem;     // why the reading stopped early ("" when it did not)
};

TlsRead read_tls(std::string_view bytes);

std::string version_name(std::uint16_t version);         // TLSv1.2, TLSv1.3, …
std::string alert_name(std::uint8_t description);        // unknown_ca, bad_certificate, …

}  // namespace mratls::scan::capture
