// The ports MRA reaches on each kind of node, as Expressway's automatic allow list opens them:
// the one table the allow list, check's default ports, the lab's nodes and the login read.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace mratls::config {

inline constexpr std::uint16_t kUdsPort = 8443;        // CUCM UDS, and IM&P
inline constexpr std::uint16_t kTftpHttpPort = 6970;   // CUCM TFTP over plain HTTP: not verified
inline constexpr std::uint16_t kTftpHttpsPort = 6972;  // CUCM TFTP over TLS
inline constexpr std::uint16_t kUnityPort = 443;       // Unity Connection vmrest

enum class MraService { Uds, Tftp, ImAndPresence, UnityConnection };

struct MraPort {
  ServerType type;
  MraService service;
  std::string_view protocol;  // https | http
  std::uint16_t port;
};

inline constexpr std::array<MraPort, 5> kMraPorts = {{
    {ServerType::UnifiedCm, MraService::Uds, "https", kUdsPort},
    {ServerType::UnifiedCm, MraService::Tftp, "http", kTftpHttpPort},
    {ServerType::UnifiedCm, MraService::Tftp, "https", kTftpHttpsPort},
    {ServerType::ImAndPresence, MraService::ImAndPresence, "https", kUdsPort},
    {ServerType::UnityConnection, MraService::UnityConnection, "https", kUnityPort},
}};

// The ports of a kind of node, in the table's order; with `tls_only`, those X14.2 verifies.
inline std::vector<std::uint16_t> mra_ports(ServerType type, bool tls_only) {
  std::vector<std::uint16_t> out;
  for (const auto& p : kMraPorts)
    if (p.type == type && (!tls_only || p.protocol == "https")) out.push_back(p.port);
  return out;
}

}  // namespace mratls::config
