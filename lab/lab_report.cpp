#include "lab/lab_report.hpp"

#include <algorithm>
#include <iomanip>

#include "lab/scenarios.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::lab {

std::string Style::bold(const std::string& s) const { return colour ? "\033[1m" + s + "\033[0m" : s; }

std::string Style::status(int code) const {
  std::string text = code == 0 ? "---" : std::to_string(code);
  if (!colour) return text;
  return (code == 200 ? "\033[32m" : "\033[31m") + text + "\033[0m";
}

void print_catalogue(std::ostream& os) {
  for (const auto& row : scenario_catalogue())
    os << row.id << "\n  origin:   " << row.certificate << "\n  address:  " << row.address << "\n  X14.2:    " << row.expected
       << "\n";
  for (const auto& cluster : cluster_catalogue()) os << cluster.id << "\n  cluster:  " << cluster.description << "\n";
}

void print_sequences(const std::vector<SequenceStep>& steps, const Style& style, std::ostream& os) {
  os << style.bold("== The seed log's three sequences, produced by the real proxy against real TLS origins") << "\n";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    os << "\n" << style.bold(std::to_string(i + 1) + ". " + steps[i].title + ": ") << style.status(steps[i].status) << "\n";
    for (const auto& l : steps[i].lines) os << l << "\n";
  }
}

nlohmann::json sequences_json(const std::vector<SequenceStep>& steps) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : steps) out.push_back({{"title", s.title}, {"status", s.status}, {"lines", s.lines}});
  return out;
}

// Log-only mode (this emulator's preview of Traffic Server's permissive policy; Expressway has
// VerifyOriginServer On and Off only) lets every request through and logs each check that would
// have refused it (Action=Continue): those lines are its point, so they are shown per cluster,
// with the finding and the fix On would give.
void print_log_only(const Matrix& m, const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                    const std::vector<Setting>& settings, const Style& style, std::ostream& os) {
  const auto log_only = std::ranges::find_if(settings, [](const Setting& s) {
    return s.verify == config::VerifyOriginServer::LogOnly && s.version >= config::Version{14, 2, 0};
  });
  if (log_only == settings.end()) return;
  bool header = false;
  for (const auto& c : clusters) {
    const auto& login = m.cells.at(c->cluster().id).at(log_only->label);
    // Each finding once: the same check on several steps differs only in time and thread.
    std::vector<std::string> lines, seen, fixes;
    for (const auto& step : login.steps) {
      if (step.diagnosis.cause != verify::Cause::None && std::ranges::find(fixes, step.diagnosis.summary) == fixes.end()) {
        fixes.push_back(step.diagnosis.summary);
        fixes.push_back(step.diagnosis.fix);
      }
      for (const auto& l : step.reasons) {
        const auto at = l.find("WARNING:");
        if (l.find("Action=Continue") == std::string::npos || at == std::string::npos) continue;
        if (std::ranges::find(seen, l.substr(at)) != seen.end()) continue;
        seen.push_back(l.substr(at));
        lines.push_back(l);
      }
    }
    if (lines.empty()) continue;
    if (!header)
      os << "\n" << style.bold("== What log-only writes (" + log_only->label + ", an emulator preview: Expressway has On and Off only): the requests pass, and each check "
                                "that would refuse them is logged with Action=Continue") << "\n";
    header = true;
    os << "\n" << style.bold(c->cluster().id) << "\n";
    for (const auto& l : lines) os << "  " << l << "\n";
    for (std::size_t i = 0; i + 1 < fixes.size(); i += 2) os << "  cause: " << fixes[i] << "\n  fix:   " << fixes[i + 1] << "\n";
  }
}

void print_matrix(const Matrix& m, const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                  const std::vector<Setting>& settings, const Style& style, std::ostream& os) {
  os << "\n" << style.bold("== An MRA login (UDS, TFTP 6972, IM&P, Unity) through the proxy, per cluster and setting") << "\n\n";
  const std::size_t width = 26;
  os << std::string(width, ' ');
  for (std::size_t i = 0; i < settings.size(); ++i) os << std::setw(5) << ("c" + std::to_string(i + 1));
  os << "\n";
  for (const auto& c : clusters) {
    const auto& id = c->cluster().id;
    os << id << std::string(width - std::min(width, id.size()), ' ');
    for (const auto& s : settings) os << "  " << style.status(m.cells.at(id).at(s.label).status());
    os << "\n";
  }
  os << "\n";
  for (std::size_t i = 0; i < settings.size(); ++i)
    os << "  c" << std::left << std::setw(3) << i + 1 << std::right << settings[i].label << "\n";

  // Why the X14.2 VerifyOriginServer On columns fail.
  bool header = false;
  bool any_verification_failure = false;
  std::vector<std::string> not_verification;  // clusters the workaround would not cure
  for (const auto& c : clusters) {
    const auto& id = c->cluster().id;
    for (const auto& s : settings) {
      if (s.version < config::Version{14, 2, 0} || s.verify != config::VerifyOriginServer::On) continue;
      const auto& login = m.cells.at(id).at(s.label);
      if (!login.first_failure) continue;
      if (!header) os << "\n" << style.bold("== Why each login fails with X14.2 and VerifyOriginServer On, and the fix") << "\n";
      header = true;
      const auto& step = login.steps[*login.first_failure];
      os << "\n" << style.bold(id) << " (" << s.label << ") — " << c->cluster().description << "\n"
                << "  first failing step: " << step.step.name << " (" << step.step.origin << ") -> " << step.status << "\n";
      for (const auto& l : step.reasons) os << "  " << l << "\n";
      // The fix the proxy's own outcome gives (fitted to its settings), in the words check, scan and
      // login use for the same evidence; the catalogue's sentence only where the proxy recorded none.
      os << "  fix: " << (step.diagnosis.fix.empty() ? catalogue_fix(id) : step.diagnosis.fix) << "\n";
      if (verify::is_verification_failure(step.diagnosis.cause)) any_verification_failure = true;
      else {
        os << "  VerifyOriginServer Off does not help here: this is not origin verification.\n";
        not_verification.push_back(id);
      }
      // Later steps that fail for another reason (a field cluster has several).
      std::vector<std::string> seen{step.diagnosis.summary};
      for (std::size_t i = *login.first_failure + 1; i < login.steps.size(); ++i) {
        const auto& later = login.steps[i];
        if (later.status == 200 || std::find(seen.begin(), seen.end(), later.diagnosis.summary) != seen.end()) continue;
        seen.push_back(later.diagnosis.summary);
        os << "  also: " << later.step.name << " -> " << later.status << ": " << later.diagnosis.summary
                  << "\n        fix: " << later.diagnosis.fix << "\n";
      }
      if (id != "ecdsa-self-signed" && id != "ecdsa-self-signed-tls13") break;  // one preference is enough elsewhere
    }
  }
  print_log_only(m, clusters, settings, style, os);
  if (any_verification_failure) {
    os << "\n" << verify::kVerifyOffWorkaround;
    for (std::size_t i = 0; i < not_verification.size(); ++i)
      os << (i == 0 ? " (it does not cure " : ", ") << not_verification[i];
    os << (not_verification.empty() ? "" : ")") << "\n";
  }
}

nlohmann::json matrix_json(const Matrix& m, const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                           const std::vector<Setting>& settings) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : clusters) {
    const auto& id = c->cluster().id;
    nlohmann::json row{{"scenario", id}, {"description", c->cluster().description}, {"results", nlohmann::json::array()}};
    for (const auto& s : settings) {
      auto cell = login_json(m.cells.at(id).at(s.label));
      cell["setting"] = s.label;
      row["results"].push_back(cell);
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace mratls::lab
