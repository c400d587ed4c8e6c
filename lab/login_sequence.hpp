// The requests an MRA client (Jabber) makes through Expressway when it signs in, in order:
// UDS on the publisher to find the user's home cluster, UDS on the home node, the TFTP
// configuration files, IM&P and Unity Connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/mra_ports.hpp"

namespace mratls::lab {

struct LoginTarget {
  std::string domain = "steven.lab";
  std::string user = "emusk";
  std::string public_name = "vcs_control.steven.lab";  // the Expressway-E name clients use
  std::string cucm;                                    // the publisher, as configured on Expressway-C
  std::string home_node;                               // as the cluster advertises it; empty: cucm
  std::string tftp;                                    // empty: cucm
  std::uint16_t tftp_port = config::kTftpHttpsPort;
  std::string imp;    // empty: no IM&P step
  std::string unity;  // empty: no Unity Connection step
};

struct LoginStep {
  std::string name;    // "UDS user details on the home node"
  std::string method;  // GET | POST
  std::string origin;  // "https://cucm.steven.lab:8443"
  std::string target;  // the request target sent to the proxy: "/<segment>/cucm-uds/user/emusk"
  std::string body;    // POST only
};

std::vector<LoginStep> login_steps(const LoginTarget& t);

// The raw request for a step, in the absolute form clients send through the SSH tunnel.
std::string login_request(const LoginTarget& t, const LoginStep& step, const std::string& tracking_id);

}  // namespace mratls::lab
