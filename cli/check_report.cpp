#include "cli/check_report.hpp"

#include <algorithm>
#include <iomanip>

#include "verify/certificate_summary.hpp"
#include "verify/trust_store.hpp"

namespace mratls::cli::check {
namespace {

// The specific fix for one refused or failed probe, naming the certificate at fault.
std::string fix_for(const proxy::Probe& p, const logs::Diagnosis& d) {
  const std::string where = p.target.node + ":" + std::to_string(p.target.port);
  const verify::CertificateSummary* leaf = p.chain.empty() ? nullptr : &p.chain.front();
  const std::string leaf_name = leaf ? "'" + leaf->subject_cn + "'" : "its certificate";
  switch (d.cause) {
    case logs::Cause::SelfSigned:
      return "Upload the self-signed certificate " + leaf_name + " of " + where +
             " to the Expressway-C trust store (on every Expressway-C cluster node), or have it signed by a CA the "
             "trust store holds.";
    case logs::Cause::UntrustedChain: {
      std::string cas;
      for (std::size_t i = 0; i < p.chain.size(); ++i) {
        const auto& c = p.chain[i];
        const std::string name = i == 0 ? c.issuer_cn : c.subject_cn;
        if (!name.empty() && cas.find("'" + name + "'") == std::string::npos)
          cas += (cas.empty() ? "" : ", ") + ("'" + name + "'");
        if (i > 0 && !c.self_signed && !c.issuer_cn.empty() && cas.find("'" + c.issuer_cn + "'") == std::string::npos)
          cas += ", '" + c.issuer_cn + "'";
      }
      return "Upload the CAs of the chain " + where + " presents (" + cas + ") to the Expressway-C trust store.";
    }
    case logs::Cause::MissingIntermediate:
      return where + " sends " + leaf_name + " without its issuer '" + (leaf ? leaf->issuer_cn : std::string("?")) +
             "': upload that intermediate (and its root) to the Expressway-C trust store, or make the node send its "
             "full chain.";
    case logs::Cause::NameNotInCertificate:
    case logs::Cause::IpNotInCertificate: {
      std::string fix = "Add " + p.target.node + " to " + leaf_name + " as a DNS-type SAN";
      if (leaf && std::find(leaf->ip_sans.begin(), leaf->ip_sans.end(), p.target.node) != leaf->ip_sans.end())
        fix += " (it is there only as an IP-address SAN, which the traffic server does not consult)";
      fix += ", or change CUCM System > Server to a name in the certificate";
      if (leaf && !leaf->dns_sans.empty()) fix += " (" + leaf->dns_sans.front() + ")";
      return fix + " and refresh the servers on Expressway-C.";
    }
    case logs::Cause::Expired:
      return "Renew " + leaf_name + " of " + where + (leaf ? " (expired " + leaf->not_after + ")" : std::string()) +
             ".";
    case logs::Cause::NotYetValid:
      return leaf_name + " of " + where + " is not valid before " + (leaf ? leaf->not_before : std::string("?")) +
             ": check the clocks (NTP) or reissue it.";
    default:
      return d.fix.empty() ? "Check " + where + ": " + p.error : d.fix;
  }
}

// The cipher preference: a node-port refused ECDSA-first only, or under both because TLS 1.3.
void explain_cipher_preference(std::vector<Row>& rows) {
  std::map<std::pair<std::string, int>, std::pair<Row*, Row*>> pairs;
  for (auto& r : rows) {
    auto& slot = pairs[{r.probe.target.node, r.probe.target.port}];
    (r.probe.preference == "RSA-first" ? slot.second : slot.first) = &r;
  }
  for (auto& [key, pr] : pairs) {
    auto [ecdsa, rsa] = pr;
    if (!ecdsa || !rsa || ecdsa->probe.outcome != proxy::ProbeOutcome::Refused) continue;
    const auto* leaf = ecdsa->probe.chain.empty() ? nullptr : &ecdsa->probe.chain.front();
    if (!leaf || leaf->key_type != "ECDSA") continue;
    if (rsa->probe.outcome == proxy::ProbeOutcome::Verified) {
      ecdsa->fix =
          "Fails only ECDSA-first: " + key.first + ":" + std::to_string(key.second) + " presents '" + leaf->subject_cn +
          "' (tomcat-ECDSA / CallManager-ECDSA, issued by '" + leaf->issuer_cn +
          "'): have it CA-signed or upload it to the trust store, or prefix the Expressway cipher string with " +
          kRsaPrefix + " so that the RSA certificate is chosen.";
    } else if (ecdsa->probe.tls_version == "TLSv1.3") {
      ecdsa->fix += " The RSA-first cipher prefix cannot help here: " + key.first +
                    " negotiates TLS 1.3, where the cipher "
                    "string does not choose the certificate.";
    }
  }
}

// Expressway keeps one trust-store certificate per CN.
void add_trust_store_notes(const config::Config& config, std::vector<std::string>& notes) {
  if (auto trust = verify::TrustStore::load(config.expressway.trusted_ca_certificates)) {
    std::map<std::string, int> cns;
    for (const auto& c : trust->certificates()) ++cns[verify::summarize(c.get()).subject_cn];
    for (const auto& [cn, count] : cns)
      if (count > 1)
        notes.push_back("the trust store holds " + std::to_string(count) + " certificates with CN '" + cn +
                        "': Expressway keeps only one of them — have the nodes' certificates CA-signed");
  }
}

}  // namespace

std::string reason_of(const Row& r) {
  using proxy::ProbeOutcome;
  switch (r.probe.outcome) {
    case ProbeOutcome::Verified:
      return "";
    case ProbeOutcome::NotTls:
      return "plain HTTP: not subject to verification";
    case ProbeOutcome::ConnectFailed:
      return "no connection: " + r.probe.error;
    case ProbeOutcome::TlsFailed:
      return "TLS fails: " + r.probe.error;
    case ProbeOutcome::Refused:
      return r.diagnosis.summary;
  }
  return "";
}

Report judge(std::vector<proxy::Probe> probes, std::vector<std::string> notes, const config::Config& config) {
  Report report;
  report.notes = std::move(notes);
  auto& rows = report.rows;
  for (auto& p : probes) {
    Row r{std::move(p), {}, {}};
    if (r.probe.outcome == proxy::ProbeOutcome::Refused) {
      r.diagnosis = logs::diagnose(r.probe.x142_lines);
      r.fix = fix_for(r.probe, r.diagnosis);
    } else if (r.probe.outcome == proxy::ProbeOutcome::TlsFailed ||
               r.probe.outcome == proxy::ProbeOutcome::ConnectFailed) {
      r.diagnosis = logs::diagnose(r.probe.x142_lines);
      if (r.diagnosis.cause == logs::Cause::ClientCertRejected)
        r.fix = "Before X14.2 too: " + r.diagnosis.summary + " (" + r.probe.target.node + ":" +
                std::to_string(r.probe.target.port) + "). " + r.diagnosis.fix;
      else
        r.fix = "Before X14.2 too: " + reason_of(r) + " — check that " + r.probe.target.node +
                " listens with TLS on port " + std::to_string(r.probe.target.port) + ".";
    }
    rows.push_back(std::move(r));
  }
  explain_cipher_preference(rows);
  for (const auto& r : rows)
    if (!r.probe.x142_ok()) {
      ++report.failing;
      report.fixes[r.fix].push_back(r.probe.target.node + ":" + std::to_string(r.probe.target.port) + " " +
                                    r.probe.preference);
    }
  add_trust_store_notes(config, report.notes);
  // VerifyOriginServer Off only helps where X14.2's verification is what refuses.
  report.refused =
      std::ranges::any_of(rows, [](const Row& r) { return r.probe.outcome == proxy::ProbeOutcome::Refused; });
  return report;
}

nlohmann::json report_json(const Report& report) {
  const auto& rows = report.rows;
  nlohmann::json out{{"schema", "mratls.check/1"},
                     {"summary", {{"probes", rows.size()}, {"x142_failures", report.failing}}}};
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
      findings.push_back({{"kind", f.kind == verify::Finding::Kind::Name ? "name" : "chain"},
                          {"x509_error", f.x509_error},
                          {"depth", f.depth},
                          {"text", verify::finding_text(f, config::OpenSslText::Expressway)}});
    out["probes"].push_back({{"node", r.probe.target.node},
                             {"ip", r.probe.ip},
                             {"port", r.probe.target.port},
                             {"protocol", r.probe.target.protocol},
                             {"preference", r.probe.preference},
                             {"outcome", proxy::to_string(r.probe.outcome)},
                             {"before_x142", r.probe.before_x142_ok()},
                             {"x142", r.probe.x142_ok()},
                             {"tls_version", r.probe.tls_version},
                             {"cipher", r.probe.cipher},
                             {"error", r.probe.error},
                             {"chain", chain},
                             {"findings", findings},
                             {"lines", r.probe.x142_lines},
                             {"cause", logs::to_string(r.diagnosis.cause)},
                             {"reason", reason_of(r)},
                             {"fix", r.fix}});
  }
  out["fixes"] = nlohmann::json::array();
  for (const auto& [fix, affected] : report.fixes) out["fixes"].push_back({{"fix", fix}, {"affected", affected}});
  out["notes"] = report.notes;
  out["workaround"] = report.refused ? nlohmann::json(logs::kVerifyOffWorkaround) : nlohmann::json();
  return out;
}

void print_report(const Report& report, bool show_logs, std::ostream& os) {
  const auto& rows = report.rows;
  os << std::left << std::setw(26) << "node" << std::setw(16) << "address" << std::setw(6) << "port" << std::setw(13)
     << "preference" << std::setw(11) << "pre-X14.2" << std::setw(8) << "X14.2"
     << "reason\n";
  for (const auto& r : rows)
    os << std::setw(26) << r.probe.target.node << std::setw(16) << r.probe.ip << std::setw(6) << r.probe.target.port
       << std::setw(13) << r.probe.preference << std::setw(11) << (r.probe.before_x142_ok() ? "pass" : "FAIL")
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
    if (report.refused) os << "\n" << logs::kVerifyOffWorkaround << "\n";
  } else {
    os << "\nEvery node and port passes X14.2's origin verification.\n";
  }
  if (show_logs)
    for (const auto& r : rows)
      if (!r.probe.x142_lines.empty()) {
        os << "\n"
           << r.probe.target.node << ":" << r.probe.target.port << " " << r.probe.preference << ", as X14.2 logs it:\n";
        for (const auto& l : r.probe.x142_lines) os << "  " << l << "\n";
      }
}

}  // namespace mratls::cli::check
