// The pre-upgrade test as one call: every node × port × cipher preference probed the way
// X14.2's traffic server will connect, then judged.
#pragma once

#include <cstddef>
#include <ctime>
#include <expected>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include "check/nodes.hpp"
#include "check/report.hpp"
#include "verify/upgrade_path.hpp"
#include "config/config.hpp"

namespace mratls::check {

struct Request {
  config::Config config;  // servers and nodes, trust store, cipher string, hosts, timeouts
  NodeList nodes;         // the configured ones and any given by hand
  bool discover = false;  // ask each CUCM publisher for the nodes it advertises
  std::size_t concurrency = 64;
  unsigned threads = 1;
  // check --from: the string after the upgrade replaces config's, and the ways of steering away
  // from ECDSA are probed too.
  std::optional<verify::UpgradePath> upgrade;
  // check --at: certificates judged at the date of the change instead of now.
  std::optional<std::time_t> at;
};

// Called after each probe with (done, total).
using Progress = std::function<void(std::size_t, std::size_t)>;

// Errors are the settings' (a cipher string or trust store that cannot be used).
std::expected<Report, std::string> run(Request request, const Progress& progress = {});

}  // namespace mratls::check
