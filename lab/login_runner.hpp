// Replays an MRA login through a proxy and explains the first failing step from the proxy's
// own lines. `mratls login` runs it against any proxy, the lab against its own.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "lab/login_sequence.hpp"
#include "logs/diagnosis.hpp"

namespace mratls::lab {

struct StepOutcome {
  LoginStep step;
  int status = 0;                    // 0: no answer
  std::vector<std::string> reasons;  // the proxy's WARNING/ERROR lines for the step
  logs::Diagnosis diagnosis;
};

struct LoginOutcome {
  std::vector<StepOutcome> steps;
  std::optional<std::size_t> first_failure;
  int status() const { return first_failure ? steps[*first_failure].status : 200; }
};

// The proxy's log so far; empty when it cannot be read.
using LogSource = std::function<std::vector<std::string>()>;

LoginOutcome run_login(const std::string& address, std::uint16_t port, LoginTarget target, const LogSource& log);

// The outcome as `mratls login` prints it, and as JSON.
void print_login(const LoginOutcome& outcome, std::ostream& os);
nlohmann::json login_json(const LoginOutcome& outcome);

}  // namespace mratls::lab
