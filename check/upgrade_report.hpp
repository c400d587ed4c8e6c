// `check --from`: the verdicts under the one cipher string the site will run after the upgrade,
// the other preference as a risk ("if the cipher string changes"), and each way of steering
// away from ECDSA judged at every node and port.
#pragma once

#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "check/probe.hpp"
#include "verify/upgrade_path.hpp"
#include "verify/trust_store.hpp"

namespace mratls::check {

struct Report;

struct AlternativeVerdict {
  enum class Result { Pass, Fail, Unknown, NotApplicable };
  std::string id;
  std::string name;
  Result result = Result::NotApplicable;
  std::string detail;  // why it fails, why it cannot be judged, or what to trust
};
const char* to_string(AlternativeVerdict::Result r);  // "pass" | "FAIL" | "unknown" | "n/a"

// One TLS node and port: its two rows of Report::rows, by index, and the alternatives.
struct NodeUpgrade {
  std::string node;
  std::string ip;
  std::uint16_t port = 0;
  std::size_t after = 0;       // the row probed with the string after the upgrade
  std::size_t if_changed = 0;  // the row with the other preference
  bool before_ok = true;       // before the upgrade, under the string in force then: no verification
  std::string before_reason;   // why not, when the handshake itself fails then
  bool tls13 = false;          // negotiated TLS 1.3: the cipher string does not choose the certificate
  // path.custom_string: X14.2's verdict if the upgrade keeps the string as it is.
  std::optional<bool> kept_ok;
  std::string kept_reason;
  std::vector<AlternativeVerdict> alternatives;
};

struct UpgradeReport {
  verify::UpgradePath path;
  std::vector<NodeUpgrade> nodes;
  std::vector<std::size_t> plain_rows;  // not subject to verification (TFTP over HTTP)
  std::size_t failing_after = 0;
  std::size_t failing_if_changed = 0;
  std::size_t failing_if_kept = 0;  // path.custom_string: under the string kept as it is
};

// What the alternatives need beyond the probes: the trust store and the settings that judge a
// chain again offline, at the date of the change when one is given.
struct OfflineSettings {
  const verify::TrustStore* trust = nullptr;
  int security_level = 1;
  std::optional<std::time_t> at;
};

// `report`: the two probes of every TLS node and port (the string after the upgrade, and
// path.ciphers_if_changed), judged. `other_probes`: each TLS node probed with the other strings a
// verdict needs (the one before, each alternative's), told apart by Probe::ciphers.
UpgradeReport judge_upgrade(const Report& report, std::vector<Probe> other_probes, verify::UpgradePath path,
                            const OfflineSettings& offline);

// With --from, the report's count, fixes and workaround are those after the upgrade (and of the
// plain-HTTP ports), as the exit code is: the other preference is a risk, not a failure.
void count_after_the_upgrade(Report& report);

void print_upgrade(const Report& report, bool show_logs, std::ostream& os);
nlohmann::json upgrade_json(const Report& report);

}  // namespace mratls::check
