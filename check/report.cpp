#include "check/report.hpp"

#include <algorithm>
#include <iomanip>

#include "mra/mra_path.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/cipher_preference.hpp"

namespace mratls::check {
namespace {

// The cipher preference: a node-port refused ECDSA-first only, or under both because TLS 1.3.
void explain_cipher_preference(std::vector<Row>& rows) {
  std::map<std::pair<std::string, int>, std::pair<Row*, Row*>> pairs;
  for (auto& r : rows) {
    if (r.probe.preference == "other" || r.probe.preference == "n/a") continue;
    auto& slot = pairs[{r.probe.target.node, r.probe.target.port}];
    (r.probe.prefers == verify::CertificatePreference::Rsa ? slot.second : slot.first) = &r;
  }
  for (auto& [key, pr] : pairs) {
    auto [ecdsa, rsa] = pr;
    if (!ecdsa || !rsa || ecdsa->probe.outcome != ProbeOutcome::Refused) continue;
    const auto* leaf = ecdsa->probe.chain.empty() ? nullptr : &ecdsa->probe.chain.front();
    if (!leaf || leaf->key_type != "ECDSA") continue;
    // What only two probes show: whether the RSA certificate passes.
    if (rsa->probe.outcome == ProbeOutcome::Verified) ecdsa->facts.other_certificate = verify::OtherCertificate::Passes;
    else if (rsa->probe.outcome == ProbeOutcome::Refused) ecdsa->facts.other_certificate = verify::OtherCertificate::RefusedToo;
    else continue;
    ecdsa->diagnosis = verify::diagnose(ecdsa->facts);
    ecdsa->fix = ecdsa->diagnosis.fix;
  }
}

}  // namespace

std::string reason_of(const Row& r) {
    switch (r.probe.outcome) {
    case ProbeOutcome::Verified:
      return "";
    case ProbeOutcome::NotTls:
      return "plain HTTP: not subject to verification";
    case ProbeOutcome::ConnectFailed:
      return "no connection: " + r.probe.error;
    case ProbeOutcome::TlsFailed:
      // A refused client certificate says more than the alert's error text does.
      if (r.diagnosis.cause == verify::Cause::ClientCertRejected) return r.diagnosis.summary;
      return "TLS fails: " + r.probe.error;
    case ProbeOutcome::Refused:
      return r.diagnosis.summary;
  }
  return "";
}

Report judge(std::vector<Probe> probes, std::vector<std::string> notes, std::optional<std::time_t> at) {
  Report report;
  report.notes = std::move(notes);
  auto& rows = report.rows;
  for (auto& p : probes) {
    Row r{std::move(p), {}, {}, {}};
    // A failed connection has no TLS cause to explain: its reason is the network error.
    // The fix is the one every reader gives for the same facts (the proxy's own catalogue),
    // under the preference the probe's string has.
    // A node that passes but asked for the certificate the probe did not present: its verdict is
    // incomplete, and that is a finding with its fix.
    if (!r.probe.failure && r.probe.client_certificate_untested) {
      r.facts = verify::Facts{{verify::ClientCertificateUntested{r.probe.target.node}}, r.probe.prefers, std::nullopt,
                              verify::Source::Chain};
      r.diagnosis = verify::diagnose(r.facts);
      r.fix = r.diagnosis.fix;
      ++report.untested;
    }
    if (r.probe.failure && r.probe.outcome != ProbeOutcome::ConnectFailed) {
      r.facts = verify::Facts{{*r.probe.failure}, r.probe.prefers, std::nullopt, verify::Source::Chain};
      r.facts.offered = r.probe.offered;
      r.facts.findings.insert(r.facts.findings.end(), r.probe.also.begin(), r.probe.also.end());
      r.facts.judged_at = at;
      r.diagnosis = verify::diagnose(r.facts);
    }
    // The handshake's own failures too: the renderer's words, as every reader gives them.
    if (r.probe.outcome == ProbeOutcome::Refused || r.diagnosis.cause == verify::Cause::ClientCertRejected ||
        (r.probe.outcome == ProbeOutcome::TlsFailed && r.diagnosis.cause != verify::Cause::None)) {
      r.fix = r.diagnosis.fix;
    } else if (r.probe.outcome == ProbeOutcome::TlsFailed || r.probe.outcome == ProbeOutcome::ConnectFailed) {
      r.fix = "Before X14.2 too: " + reason_of(r) + " — check that " + r.probe.target.node + " listens with TLS on port " +
              std::to_string(r.probe.target.port) + ".";
    }
    rows.push_back(std::move(r));
  }
  explain_cipher_preference(rows);
  for (const auto& r : rows)
    if (r.diagnosis.cause == verify::Cause::ClientCertUntested) {
      report.fixes[r.fix].push_back(mra::host_port(r.probe.target.node, r.probe.target.port) + " " + r.probe.preference);
    } else if (!r.probe.x142_ok()) {
      ++report.failing;
      // Each fix a row needs, on its own: a node with two problems is listed under both.
      const auto where = mra::host_port(r.probe.target.node, r.probe.target.port) + " " + r.probe.preference;
      if (r.diagnosis.fixes.size() > 1)
        for (const auto& f : r.diagnosis.fixes) report.fixes[f].push_back(where);
      else report.fixes[r.fix].push_back(where);
    }
  // VerifyOriginServer Off only helps where X14.2's verification is what refuses.
  report.refused =
      std::ranges::any_of(rows, [](const Row& r) { return r.probe.outcome == ProbeOutcome::Refused; });
  return report;
}

}  // namespace mratls::check
