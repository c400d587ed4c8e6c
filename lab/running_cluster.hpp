// A lab cluster brought up: a mock origin per node and service on the node's own loopback
// address, and what a proxy needs to reach them (servers, hosts, allow-list rules).
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "lab/login_sequence.hpp"
#include "lab/mra_responses.hpp"
#include "lab/scenarios.hpp"

namespace mratls::lab {

struct Listener {
  std::size_t node = 0;  // index into the cluster's nodes
  Service service = Service::Uds;
  std::string protocol;  // https | http
  std::uint16_t port = 0;
  std::unique_ptr<MockOrigin> origin;
};

// Where a node of this role listens (its address, each service's port), before it is started.
std::vector<ListenPoint> listen_points(const std::string& ip, NodeRole role);

class RunningCluster {
 public:
  static std::expected<std::unique_ptr<RunningCluster>, std::string> start(LabCluster cluster);

  const LabCluster& cluster() const { return cluster_; }
  const std::vector<Listener>& listeners() const { return listeners_; }

  // Adds the cluster's servers (with the addresses it advertises) and hosts entries.
  void configure_proxy(config::Config& config) const;
  // What a client signing in to this cluster asks for.
  LoginTarget login_target(const std::string& public_name, const std::string& user = "emusk") const;

 private:
  LabCluster cluster_;
  std::vector<Listener> listeners_;
};

}  // namespace mratls::lab
