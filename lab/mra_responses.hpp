// What the mock nodes answer to the requests of an MRA login: UDS on CUCM 8443, TFTP
// configuration files on 6970/6972, IM&P on 8443 and Unity Connection's vmrest on 443.
#pragma once

#include <string>
#include <vector>

#include "config/mra_ports.hpp"
#include "lab/mock_origin.hpp"

namespace mratls::lab {

using Service = config::MraService;

struct NodeIdentity {
  Service service = Service::Uds;
  std::string host;    // the node's FQDN
  std::string domain;  // the MRA domain
  std::string version = "14.0.1.12900-161";
  std::string home_node;  // what clusterUser answers: the user's home node as advertised
  std::vector<std::string> cluster_servers;  // what /cucm-uds/servers lists (System > Server)
};

// A plausible body for the request, or a 404 as the node would give.
OriginReply mra_reply(const NodeIdentity& node, const OriginRequest& request);

}  // namespace mratls::lab
