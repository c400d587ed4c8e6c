// What `mratls check` probes: the nodes the configuration names or the clusters advertise, and
// the ports X14.2 connects to on each, every node once.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "config/mra_ports.hpp"

namespace mratls::check {

struct Node {
  config::ServerType type;
  std::string address;  // as configured or advertised
  std::string source;   // "configured" | "advertised" | "advertised by <publisher>" | "--node"
  std::vector<std::uint16_t> ports;
};

// The ports the traffic server reaches on a node of this type: UDS and TFTP-over-HTTPS on
// CUCM, XMPP-web on IM&P, REST on Unity Connection.
std::vector<std::uint16_t> default_ports(config::ServerType type);

// "8443,6972" → ports; each must be in 1-65535.
std::expected<std::vector<std::uint16_t>, std::string> parse_ports(std::string_view text);

// TFTP on 6970 is plain HTTP; everything else the traffic server reaches over TLS.
inline std::string protocol_for(std::uint16_t port) { return port == config::kTftpHttpPort ? "http" : "https"; }

// "HOST" or "HOST:PORT,PORT" (an IPv6 literal is given without ports).
struct NodeSpec {
  std::string host;
  std::optional<std::vector<std::uint16_t>> ports;
};
std::expected<NodeSpec, std::string> parse_node_spec(std::string_view spec);

class NodeList {
 public:
  // `port_override`: --ports, which replaces every node's ports.
  explicit NodeList(std::optional<std::vector<std::uint16_t>> port_override = std::nullopt)
      : port_override_(std::move(port_override)) {}
  // Ignored when the same address of the same type is already listed.
  void add(config::ServerType type, const std::string& address, const std::string& source,
           std::vector<std::uint16_t> ports);
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  std::optional<std::vector<std::uint16_t>> port_override_;
  std::vector<Node> nodes_;
  std::set<std::pair<std::string, int>> seen_;
};

// The configured servers' nodes (their address "configured", the others "advertised").
void add_configured(NodeList& list, const config::Config& config);

// The <server> names of a CUCM's /cucm-uds/servers answer, in order.
std::vector<std::string> advertised_servers(std::string_view uds_servers_xml);

}  // namespace mratls::check
