// mratls check's verdicts: each probe judged (cause, reason, the fix naming the certificate at
// fault), the fixes grouped, and the report as text or JSON (schema mratls.check/1).
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "verify/fix_catalogue.hpp"
#include "check/probe.hpp"
#include "check/upgrade_report.hpp"

namespace mratls::check {

struct Row {
  Probe probe;
  verify::Facts facts;          // why X14.2 would fail it, with what the probes know around it
  verify::Diagnosis diagnosis;  // the facts in words (verify::diagnose), made again when a fact is added
  std::string fix;
};

struct Report {
  std::vector<Row> rows;
  std::map<std::string, std::vector<std::string>> fixes;  // fix → the node-ports it cures
  std::vector<std::string> notes;
  std::size_t failing = 0;  // probes X14.2 would refuse or fail
  bool refused = false;     // some failure is verification, which VerifyOriginServer Off would let through
  std::optional<UpgradeReport> upgrade;  // check --from: the verdicts under the string after the upgrade
  std::optional<std::time_t> at;          // check --at: the date of the change the verdicts are for
  std::vector<std::string> date_warnings; // what expires soon after it, and the trust store by then
  std::size_t untested = 0;  // node-ports whose request for a client certificate check did not answer: the verdict is incomplete
};

// The probes judged; `notes` (discovery) are kept. A trust store the appliance could not hold
// (two certificates with one CN) never gets here: building the runtime refuses it.
// `at`: check --at, the date validity is judged at (the date of the change).
Report judge(std::vector<Probe> probes, std::vector<std::string> notes, std::optional<std::time_t> at = std::nullopt);

std::string reason_of(const Row& r);
void print_report(const Report& report, bool show_logs, std::ostream& os);
// check --at: the date the verdicts are for, and the warnings for it (nothing without --at).
void print_change_date(const Report& report, std::ostream& os);
void print_date_warnings(const Report& report, std::ostream& os);
nlohmann::json report_json(const Report& report);

}  // namespace mratls::check
