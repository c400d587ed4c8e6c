// Replays an MRA login through a proxy and explains the first failing step from the proxy's
// own lines. `mratls login` runs it against any proxy, the lab against its own.
#pragma once

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "lab/in_process.hpp"
#include "lab/login_sequence.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::lab {

struct StepOutcome {
  LoginStep step;
  int status = 0;                    // 0: no answer
  std::vector<std::string> reasons;  // the proxy's WARNING/ERROR lines for the step (for a passing step, when asked)
  verify::Diagnosis diagnosis;
};

struct LoginOutcome {
  std::vector<StepOutcome> steps;
  std::optional<std::size_t> first_failure;
  int status() const { return first_failure ? steps[*first_failure].status : 200; }
  // Steps that answered 200 with findings: log-only let them through, On would refuse them.
  std::size_t warned() const {
    return static_cast<std::size_t>(std::ranges::count_if(
        steps, [](const StepOutcome& s) { return s.status == 200 && s.diagnosis.cause != verify::Cause::None; }));
  }
};

// What is known about a failed step, by its TrackingID: the proxy's WARNING/ERROR lines, and
// why it failed as a value when the proxy says so (the lab's in-process proxy does; a log file
// read back by `mratls login --log` gives lines only, which scan maps back).
struct StepEvidence {
  std::vector<std::string> reasons;
  std::vector<verify::Outcome> outcomes;  // every finding the lines state, in order
  // The proxy's own explanation (from its admin listener): it saw the chain, which the lines do
  // not carry, so it is preferred to the outcome the lines map back to.
  std::optional<verify::Diagnosis> diagnosis;
  // The certificate preference in force, when the evidence's source knows it (the admin listener).
  std::optional<verify::CertificatePreference> preference;
};
using EvidenceSource = std::function<StepEvidence(const std::string& tracking_id)>;

// The lines of the proxy's log (read again on each call) for a TrackingID, once its
// transaction is complete: the proxy writes asynchronously, so this waits up to 3 s.
std::vector<std::string> transaction_reasons(const std::function<std::vector<std::string>()>& log,
                                             const std::string& tracking_id);

// The in-process proxy's evidence: its lines, and the outcomes it records.
EvidenceSource evidence_of(lab::InProcessProxy& proxy);

// `evidence` may be empty: steps are then explained by nothing but their status.
// `on_step`, when given, hears of each step as soon as it is answered (the admin page shows them).
// `passing_lines`: read the lines of passing steps too (log-only mode writes its findings on
// requests that pass).
LoginOutcome run_login(const std::string& address, std::uint16_t port, LoginTarget target, const EvidenceSource& evidence,
                       const std::function<void(const StepOutcome&)>& on_step = {}, bool passing_lines = false);

// The outcome as `mratls login` prints it, and as JSON.
void print_login(const LoginOutcome& outcome, std::ostream& os);
nlohmann::json login_json(const LoginOutcome& outcome);
nlohmann::json step_json(const StepOutcome& step);

}  // namespace mratls::lab
