#include <iomanip>

#include "check/report.hpp"
#include "verify/doctor/certificate_facts.hpp"
#include "verify/finding_json.hpp"
#include "verify/x509_text.hpp"

namespace mratls::check {

nlohmann::json report_json(const Report& report) {
  const auto& rows = report.rows;
  nlohmann::json out{{"schema", "mratls.check/1"},
                     {"summary", {{"probes", rows.size()}, {"x142_failures", report.failing},
                                  {"client_certificate_untested", report.untested}, {"complete", report.untested == 0}}}};
  out["probes"] = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json chain = nlohmann::json::array();
    for (const auto& c : r.probe.chain)
      chain.push_back({{"subject", c.subject},
                       {"subject_cn", c.subject_cn},
                       {"issuer", c.issuer},
                       {"issuer_cn", c.issuer_cn},
                       {"dns_sans", c.dns_sans},
                       {"ip_sans", c.ip_sans},
                       {"key_type", c.key_type},
                       {"key_bits", c.key_bits},
                       {"not_before", c.not_before},
                       {"not_after", c.not_after},
                       {"sha256", c.sha256},
                       {"self_signed", c.self_signed}});
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : r.probe.findings)
      findings.push_back(verify::finding_json(f));
    out["probes"].push_back({{"node", r.probe.target.node},
                             {"ip", r.probe.ip},
                             {"port", r.probe.target.port},
                             {"protocol", r.probe.target.protocol},
                             {"preference", r.probe.preference},
                             {"ciphers", r.probe.ciphers},
                             {"presented", r.probe.presented().empty() ? nlohmann::json() : nlohmann::json(r.probe.presented())},
                             {"outcome", to_string(r.probe.outcome)},
                             {"before_x142", r.probe.before_x142_ok()},
                             {"x142", r.probe.x142_ok()},
                             {"tls_version", r.probe.tls_version},
                             {"cipher", r.probe.cipher},
                             {"error", r.probe.error},
                             {"chain", chain},
                             {"findings", findings},
                             {"lines", r.probe.x142_lines},
                             {"cause", verify::to_string(r.diagnosis.cause)},
                             {"reason", reason_of(r)},
                             {"fix", r.fix},
                             {"fixes", r.fix == r.diagnosis.fix ? nlohmann::json(r.diagnosis.fixes)
                                                                : nlohmann::json(r.fix.empty() ? std::vector<std::string>{}
                                                                                               : std::vector<std::string>{r.fix})}});
  }
  out["fixes"] = nlohmann::json::array();
  for (const auto& [fix, affected] : report.fixes) out["fixes"].push_back({{"fix", fix}, {"affected", affected}});
  out["notes"] = report.notes;
  out["workaround"] = report.refused ? nlohmann::json(verify::kVerifyOffWorkaround) : nlohmann::json();
  if (report.upgrade) out["upgrade"] = upgrade_json(report);
  out["at"] = report.at ? nlohmann::json(verify::doctor::iso_time(*report.at)) : nlohmann::json();
  out["date_warnings"] = report.date_warnings;
  return out;
}

void print_change_date(const Report& report, std::ostream& os) {
  if (report.at)
    os << "Certificates judged at " << verify::doctor::iso_time(*report.at) << ", the date of the change, not today.\n\n";
}

void print_date_warnings(const Report& report, std::ostream& os) {
  if (report.date_warnings.empty()) return;
  os << "\nAt the date of the change (" << verify::doctor::iso_day(*report.at) << "):\n";
  for (const auto& w : report.date_warnings) os << "- warning: " << w << "\n";
}

void print_report(const Report& report, bool show_logs, std::ostream& os) {
  const auto& rows = report.rows;
  print_change_date(report, os);
  os << std::left << std::setw(26) << "node" << std::setw(16) << "address" << std::setw(6) << "port" << std::setw(13)
     << "preference" << std::setw(10) << "presents" << std::setw(11) << "pre-X14.2" << std::setw(8) << "X14.2"
     << "reason\n";
  for (const auto& r : rows)
    os << std::setw(26) << r.probe.target.node << std::setw(16) << r.probe.ip << std::setw(6) << r.probe.target.port
       << std::setw(13) << r.probe.preference << std::setw(10) << (r.probe.presented().empty() ? "-" : r.probe.presented())
       << std::setw(11) << (r.probe.before_x142_ok() ? "pass" : "FAIL")
       << std::setw(8) << (r.probe.x142_ok() ? "pass" : "FAIL") << reason_of(r) << "\n";
  os << std::right;
  for (const auto& n : report.notes) os << "note: " << n << "\n";
  if (!report.fixes.empty()) {
    os << "\nWhat to change before upgrading to X14.2:\n";
    for (const auto& [fix, affected] : report.fixes) {
      os << "- " << fix << "\n  affects:";
      for (const auto& a : affected) os << " " << a << ";";
      os << "\n";
    }
    // Only where it would help: a handshake that fails before X14.2 too is not verification.
    if (report.refused) os << "\n" << verify::kVerifyOffWorkaround << "\n";
  }
  if (report.untested)
    os << "\nThe verdict is incomplete: " << report.untested << " probe" << (report.untested == 1 ? "" : "s")
       << " met a node that asks for a client certificate, and check presented none (give --client-cert and --client-key).\n";
  else if (report.fixes.empty())
    os << "\nEvery node and port passes X14.2's origin verification.\n";
  print_date_warnings(report, os);
  if (show_logs)
    for (const auto& r : rows)
      if (!r.probe.x142_lines.empty()) {
        os << "\n"
           << r.probe.target.node << ":" << r.probe.target.port << " " << r.probe.preference << ", as X14.2 logs it:\n";
        for (const auto& l : r.probe.x142_lines) os << "  " << l << "\n";
      }
}

}  // namespace mratls::check
