#include "lab/login_runner.hpp"

namespace mratls::lab {

void print_login(const LoginOutcome& outcome, std::ostream& os) {
  for (std::size_t i = 0; i < outcome.steps.size(); ++i) {
    const auto& s = outcome.steps[i];
    os << "  " << (s.status == 200 ? "ok  " : "FAIL") << " " << (s.status ? std::to_string(s.status) : std::string("---")) << "  "
       << s.step.name << "  (" << s.step.method << " " << s.step.origin << s.step.target.substr(s.step.target.find('/', 1))
       << ")\n";
  }
  if (!outcome.first_failure && !outcome.warned()) {
    os << "  login succeeded: every step answered 200\n";
    return;
  }
  if (!outcome.first_failure) {
    os << "  login went through only because of log-only (this emulator's preview of Traffic Server's permissive policy; "
          "Expressway has VerifyOriginServer On and Off only): "
       << outcome.warned() << " step" << (outcome.warned() == 1 ? "" : "s") << " would fail under On\n";
    for (const auto& s : outcome.steps) {
      if (s.status != 200 || s.diagnosis.cause == verify::Cause::None) continue;
      os << "  would fail: " << s.step.name << "\n";
      for (const auto& r : s.reasons) os << "    " << r << "\n";
      os << "    cause: " << s.diagnosis.summary << "\n    fix:   " << s.diagnosis.fix << "\n";
    }
    return;
  }
  // Every failing step with its own lines: a field cluster fails in several places at once.
  for (std::size_t i = *outcome.first_failure; i < outcome.steps.size(); ++i) {
    const auto& f = outcome.steps[i];
    if (f.status == 200) continue;
    os << "  " << (i == *outcome.first_failure ? "first failing step: " : "also failing: ") << f.step.name << " -> "
       << (f.status ? std::to_string(f.status) : std::string("no answer")) << "\n";
    for (const auto& r : f.reasons) os << "    " << r << "\n";
    if (f.diagnosis.cause != verify::Cause::None) {
      os << "    cause: " << f.diagnosis.summary << "\n    fix:   " << f.diagnosis.fix << "\n";
    } else if (f.reasons.empty()) {
      os << "    (give the proxy's log with --log FILE, or its admin listener with --admin HOST:PORT, to see why)\n";
    }
  }
}

nlohmann::json step_json(const StepOutcome& s) {
  return {{"name", s.step.name},     {"method", s.step.method},   {"origin", s.step.origin},
          {"target", s.step.target}, {"status", s.status},        {"reasons", s.reasons},
          {"cause", verify::to_string(s.diagnosis.cause)},        {"fix", s.diagnosis.fix},
          {"fixes", s.diagnosis.fixes},
          {"passed_by_log_only", s.status == 200 && s.diagnosis.cause != verify::Cause::None}};
}

nlohmann::json login_json(const LoginOutcome& outcome) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : outcome.steps) steps.push_back(step_json(s));
  nlohmann::json out{{"status", outcome.status()}, {"steps", steps}, {"warned", outcome.warned()}};
  if (outcome.first_failure) out["first_failure"] = *outcome.first_failure;
  return out;
}

}  // namespace mratls::lab
