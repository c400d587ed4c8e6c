// mratls cert lint: per certificate, what will break and where: browsers, UCCX, CUCM, and
// Expressway-C X14.2's origin verification.
#include <iostream>

#include "cli/cert_commands.hpp"
#include "verify/doctor/certificate_lint.hpp"

namespace mratls::cli::cert {
namespace {

namespace doctor = verify::doctor;

struct LintOptions {
  std::vector<std::string> files;
  std::string at;
  bool json = false;
};

int run_lint(const LintOptions& o) {
  auto when = time_to_judge(o.at);
  if (!when) return input_error("lint", when.error());
  auto certificates = verify::read_named_certificates(o.files);
  if (!certificates) return input_error("lint", certificates.error());

  int counted[3] = {0, 0, 0};
  nlohmann::json out = nlohmann::json::array();
  for (const auto& entry : verify::doctor::store_entries(*certificates)) {
    const auto& f = entry.facts;
    const auto findings = doctor::lint(f, *when);
    for (const auto& finding : findings) ++counted[static_cast<int>(finding.severity)];
    if (o.json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& finding : findings)
        list.push_back({{"rule", finding.rule},
                        {"severity", doctor::to_string(finding.severity)},
                        {"message", finding.message},
                        {"breaks", finding.breaks}});
      out.push_back({{"source", entry.source}, {"certificate", facts_json(f)}, {"findings", list}});
      continue;
    }
    std::cout << entry.source << "\n  " << f.subject_text << "\n  " << f.key.type << " " << f.key.bits << ", "
              << f.signature_algorithm << ", valid " << doctor::iso_time(f.not_before) << " .. "
              << doctor::iso_time(f.not_after) << (f.is_ca ? ", CA" : "") << (f.self_signed ? ", self-signed" : "")
              << "\n";
    if (findings.empty()) std::cout << "  clean\n";
    for (const auto& finding : findings) {
      std::cout << "  " << doctor::to_string(finding.severity) << std::string(8 - doctor::to_string(finding.severity).size(), ' ')
                << finding.rule << ": " << finding.message << "\n";
      if (!finding.breaks.empty()) std::cout << "          breaks: " << finding.breaks << "\n";
    }
    std::cout << "\n";
  }
  const bool failing = counted[0] + counted[1] > 0;
  if (o.json)
    std::cout << json_text(nlohmann::json{{"schema", "mratls.cert.lint/1"},
                                {"at", doctor::iso_time(*when)},
                                {"certificates", out},
                                {"errors", counted[0]},
                                {"warnings", counted[1]},
                                {"notes", counted[2]}})
              << "\n";
  else
    std::cout << certificates->size() << " certificate" << (certificates->size() == 1 ? "" : "s") << ": " << counted[0]
              << " error(s), " << counted[1] << " warning(s), " << counted[2] << " note(s)\n";
  return failing ? kFindings : kOk;
}

}  // namespace

Action add_lint(CLI::App& cert) {
  auto* cmd = cert.add_subcommand("lint", "Check certificates against the rules CUCM, UCCX, browsers and X14.2 enforce");
  auto o = std::make_shared<LintOptions>();
  cmd->add_option("files", o->files, "Certificates (PEM, DER, PKCS#7; a file may hold several)")->required();
  cmd->add_option("--at", o->at, "Judge validity at this time instead of now (2026-11-22T10:00:00Z)");
  cmd->add_flag("--json", o->json, "Print JSON");
  return [o] { return run_lint(*o); };
}

}  // namespace mratls::cli::cert
