// The lab runner: the settings matrix (version × VerifyOriginServer × cipher preference), the
// seed log's request sequences, an MRA login per cluster and setting through the real proxy,
// and the lab kept running behind one proxy.
#pragma once

#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "lab/lab_dir.hpp"
#include "lab/login_runner.hpp"
#include "lab/running_cluster.hpp"
#include "logs/log.hpp"
#include "proxy/runtime.hpp"
#include "proxy/server.hpp"
#include "verify/cipher_preference.hpp"

namespace mratls::lab {

// The name clients use for Expressway in the lab.
inline constexpr const char* kLabPublicName = "vcs_control.steven.lab";

struct Setting {
  std::string label;  // "X14.2.0 on ECDSA-first"
  config::VerifyOriginServer verify = config::VerifyOriginServer::On;
  // The certificate the lab's cipher string makes a dual node present, as OpenSSL reads the string.
  verify::CertificatePreference preference = verify::CertificatePreference::Ecdsa;
  config::Version version{14, 2, 0};
  // The cipher string in force; empty: the appliance's default, with the RSA-first prefix for RSA.
  std::string ciphers{};
};

// Every combination, or those with this mode ("on" | "off" | "log-only") and preference
// ("ecdsa" | "rsa"); an empty filter keeps all.
std::vector<Setting> settings_matrix(const std::string& verify, const std::string& prefer);
// X14.2.0 with the appliance's defaults unless the filters say otherwise (--keep-running).
Setting single_setting(const std::string& verify, const std::string& prefer);
// The setting under this cipher string (`lab --ciphers`): its preference is the one OpenSSL reads
// from it; an error names a string that offers neither an ECDSA nor an RSA suite.
std::expected<Setting, std::string> with_ciphers(Setting setting, const std::string& ciphers);

// The proxy's configuration in the lab, before any cluster is added.
config::Config lab_config(const LabDir& dir);
void apply(const Setting& setting, config::Config& config);

struct SequenceStep {
  std::string title;
  int status = 0;
  std::vector<std::string> lines;  // what the proxy wrote for it
};
// The seed log's three sequences: UDS on 8443, TFTP on 6972 with a self-signed certificate,
// and the node by IP address (its node listens in `block`).
std::vector<SequenceStep> seed_sequences(const LabDir& dir, const LoopbackBlock& block);

// A lab brought up: where it listens, and its clusters.
struct StartedLab {
  LabPlacement placement;
  std::vector<std::unique_ptr<RunningCluster>> clusters;
};
// Every cluster, each with a domain of its own, or only the one named (on steven.lab), in the
// pinned block or else in the first candidate block that nothing listens in. A block taken
// between the probe and the listeners (a second lab starting at the same moment) moves the
// run to the next one.
std::expected<StartedLab, std::string> start_lab(const std::string& only = "",
                                                 const std::optional<LoopbackBlock>& pinned = std::nullopt);

struct Matrix {
  std::map<std::string, std::map<std::string, LoginOutcome>> cells;  // cluster → setting label → login
};
// One proxy per cluster and setting: the clusters share names on different addresses, as
// separate sites would, so each needs a hosts map of its own.
Matrix run_matrix(const LabDir& dir, const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                  const std::vector<Setting>& settings);

// The `mratls login` command that replays a cluster's login through the lab's proxy and reads
// the failing steps' lines from its admin listener.
std::string login_command(const RunningCluster& cluster, std::uint16_t proxy_port, std::uint16_t admin_port);

// The fix the scenario catalogue gives for a cluster, or "".
std::string catalogue_fix(const std::string& cluster_id);

// The lab behind one listening proxy, until it is stopped.
class KeptLab {
 public:
  static KeptLab start(const LabDir& dir, const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                       const Setting& setting, std::uint16_t port, const std::string& log_file = "-");
  proxy::Server& server() { return *server_; }
  const std::shared_ptr<logs::Log>& log() const { return log_; }
  // Why each failed request failed, by TrackingID (the admin page's login explains steps from it).
  const proxy::OutcomeRecord& outcomes() const { return *outcomes_; }
  // A curl command per node and service, through the proxy.
  std::vector<std::string> reproduction_commands(const std::vector<std::unique_ptr<RunningCluster>>& clusters) const;

 private:
  std::shared_ptr<logs::Log> log_;
  std::shared_ptr<proxy::OutcomeRecord> outcomes_ = std::make_shared<proxy::OutcomeRecord>();
  std::unique_ptr<proxy::Server> server_;
};

}  // namespace mratls::lab
