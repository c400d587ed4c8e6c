#include "check/report.hpp"

#include <algorithm>
#include <iomanip>

#include "verify/certificate_summary.hpp"
#include "verify/cipher_preference.hpp"

namespace mratls::check {
namespace {

// The specific fix for one refused or failed probe, naming the certificate at fault.
std::string fix_for(const Probe& p, const verify::Diagnosis& d) {
  const std::string where = p.target.node + ":" + std::to_string(p.target.port);
  const verify::CertificateSummary* leaf = p.chain.empty() ? nullptr : &p.chain.front();
  const std::string leaf_name = leaf ? "'" + leaf->subject_cn + "'" : "its certificate";
  // Where the chain and the store say which certificate is missing, the catalogue's fix names it.
  if (const auto* refused = p.failure ? std::get_if<verify::ChainRefused>(&*p.failure) : nullptr; refused && refused->gap)
    return d.fix;
  switch (d.cause) {
    case verify::Cause::SelfSigned:
      return "Upload the self-signed certificate " + leaf_name + " of " + where +
             " to the Expressway-C trust store (on every Expressway-C cluster node), or have it signed by a CA the "
             "trust store holds.";
    case verify::Cause::UntrustedChain: {
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
    case verify::Cause::NameNotInCertificate:
    case verify::Cause::IpNotInCertificate: {
      std::string fix = "Add " + p.target.node + " to " + leaf_name + " as a DNS-type SAN";
      if (leaf && std::find(leaf->ip_sans.begin(), leaf->ip_sans.end(), p.target.node) != leaf->ip_sans.end())
        fix += " (it is there only as an IP-address SAN, which the traffic server does not consult)";
      fix += ", or change CUCM System > Server to a name in the certificate";
      if (leaf && !leaf->dns_sans.empty()) fix += " (" + leaf->dns_sans.front() + ")";
      return fix + " and refresh the servers on Expressway-C.";
    }
    case verify::Cause::Expired:
      return "Renew " + leaf_name + " of " + where + (leaf ? " (expired " + leaf->not_after + ")" : std::string()) +
             ".";
    case verify::Cause::NotYetValid:
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
    if (!ecdsa || !rsa || ecdsa->probe.outcome != ProbeOutcome::Refused) continue;
    const auto* leaf = ecdsa->probe.chain.empty() ? nullptr : &ecdsa->probe.chain.front();
    if (!leaf || leaf->key_type != "ECDSA") continue;
    if (rsa->probe.outcome == ProbeOutcome::Verified) {
      ecdsa->fix =
          "Fails only ECDSA-first: " + key.first + ":" + std::to_string(key.second) + " presents '" + leaf->subject_cn +
          "' (tomcat-ECDSA / CallManager-ECDSA, issued by '" + leaf->issuer_cn +
          "'): have it CA-signed or upload it to the trust store, or prefix the Expressway cipher string with " +
          std::string(verify::kRsaFirstPrefix) + " so that the RSA certificate is chosen.";
    } else if (ecdsa->probe.tls_version == "TLSv1.3") {
      ecdsa->fix += " The RSA-first cipher prefix cannot help here: " + key.first +
                    " negotiates TLS 1.3, where the cipher "
                    "string does not choose the certificate.";
    }
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

Report judge(std::vector<Probe> probes, std::vector<std::string> notes) {
  Report report;
  report.notes = std::move(notes);
  auto& rows = report.rows;
  for (auto& p : probes) {
    Row r{std::move(p), {}, {}};
    // A failed connection has no TLS cause to explain: its reason is the network error.
    if (r.probe.failure && r.probe.outcome != ProbeOutcome::ConnectFailed) r.diagnosis = verify::explain(*r.probe.failure);
    if (r.probe.outcome == ProbeOutcome::Refused) {
      r.fix = fix_for(r.probe, r.diagnosis);
    } else if (r.probe.outcome == ProbeOutcome::TlsFailed || r.probe.outcome == ProbeOutcome::ConnectFailed) {
      if (r.diagnosis.cause == verify::Cause::ClientCertRejected)
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
  // VerifyOriginServer Off only helps where X14.2's verification is what refuses.
  report.refused =
      std::ranges::any_of(rows, [](const Row& r) { return r.probe.outcome == ProbeOutcome::Refused; });
  return report;
}

}  // namespace mratls::check
