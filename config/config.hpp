// The configuration of one emulated Expressway-C traffic server, parsed once from YAML into
// plain values (docs/configuration.md). The hot path reads these structs and never the YAML.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/version.hpp"

namespace mratls::config {

// xConfiguration EdgeConfigServer VerifyOriginServer, plus Traffic Server's permissive mode.
enum class VerifyOriginServer { On, Off, LogOnly };

enum class OpenSslText { Expressway, Native };
enum class LogLevel { Info, Debug };
enum class MatchType { Prefix, Exact };

// The appliance's default cipher string, which lists ECDSA suites first.
inline constexpr const char* kDefaultCiphers = "EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:!aNULL:!aDH";

struct Expressway {
  Version version{14, 2, 0};
  std::string system_name = "vcsc";
  VerifyOriginServer verify_origin_server = VerifyOriginServer::On;
  int connect_attempts_max_retries = 0;
  int openssl_security_level = 1;
  std::string tls_max_version = "TLSv1.3";
  std::string ciphers = kDefaultCiphers;
  std::vector<std::string> trusted_ca_certificates;  // absolute paths, or inline PEM text
  // The Expressway-C server certificate (PEM: the certificate, then its chain) and its private
  // key. The traffic server presents them when an origin asks for a client certificate, as
  // CUCM does on 6972. Both empty: it presents none.
  std::string server_certificate;
  std::string server_private_key;

  // X14.2 is where the traffic server began verifying origins on every request.
  bool verifies_per_request() const {
    return version >= Version{14, 2, 0} && verify_origin_server != VerifyOriginServer::Off;
  }
};

struct Listen {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8443;
  std::string public_name = "vcs_control.local";
};

enum class ServerType { UnifiedCm, ImAndPresence, UnityConnection };

struct OriginServer {
  ServerType type = ServerType::UnifiedCm;
  std::string address;
  bool tls_verify_mode = true;
  std::vector<std::string> nodes;  // addresses the cluster advertises; empty means {address}
};

struct ManualRule {
  std::string url;
  MatchType match = MatchType::Prefix;
  std::vector<std::string> methods{"GET"};
};

struct OriginPoolSettings {
  bool keep_alive = true;
  int max_idle_per_origin = 128;
  bool tls_session_reuse = true;
};

struct Timeouts {
  int connect_ms = 3000;
  int handshake_ms = 5000;
  int client_header_ms = 15000;
  int origin_response_ms = 30000;  // the whole response head, from the request sent; then each body read
  int idle_ms = 60000;
  // One request and its response, bodies included, from the end of the request head: Traffic
  // Server's transaction active timeout (900 s), so a peer that trickles a byte at a time
  // cannot hold a connection for ever.
  int transaction_ms = 900000;
};

struct Limits {
  std::size_t max_header_bytes = 65536;
  int max_connections = 20000;
};

struct Log {
  std::string file = "-";
  LogLevel level = LogLevel::Info;
  OpenSslText openssl_text = OpenSslText::Expressway;
  // NSS key log of every origin TLS connection (for Wireshark); empty: SSLKEYLOGFILE, else none.
  std::string keylog_file;
};

// The admin listener (DESIGN §11): off unless a port is given here or by --admin-port.
struct Admin {
  std::string address = "127.0.0.1";
  int port = -1;           // -1: no admin listener; 0: an ephemeral port
  std::string token_file;  // required when the address is not loopback
};

// 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_address(std::string_view address);

// An entry of expressway.trusted_ca_certificates is a PEM file's path, or the certificates
// themselves as PEM text (how `mratls admin export` writes a trust store edited in memory).
bool is_inline_pem(std::string_view entry);
// How messages name the n-th (1-based) entry of the list when it is inline.
std::string inline_pem_name(std::size_t n);

struct Config {
  std::string source;  // the file it came from, for messages
  // Where each file named by the configuration was written ("lab.yaml:4: expressway.trusted_ca_certificates"),
  // by the path as resolved: errors about the file then name the line and key at fault.
  std::map<std::string, std::string> written_at;
  Expressway expressway;
  Listen listen;
  std::vector<OriginServer> servers;
  std::vector<ManualRule> allow_list;
  std::map<std::string, std::string> hosts;
  OriginPoolSettings origin;
  Timeouts timeouts;
  Limits limits;
  int threads = 0;
  Log log;
  Admin admin;
};

const char* to_string(VerifyOriginServer v);  // "On", "Off", "log-only": as the appliance shows it
const char* yaml_value(VerifyOriginServer v);  // "on", "off", "log-only": as the configuration writes it
const char* to_string(ServerType t);

}  // namespace mratls::config
