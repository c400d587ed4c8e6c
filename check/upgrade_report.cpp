#include "check/upgrade_report.hpp"

#include <algorithm>
#include <iomanip>
#include <map>

#include "check/offline_verdict.hpp"
#include "check/report.hpp"
#include "mra/mra_path.hpp"
#include "verify/doctor/certificate_facts.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::check {
namespace {

using Result = AlternativeVerdict::Result;
using Kind = verify::Alternative::Kind;

AlternativeVerdict judged_by(const verify::Alternative& alt, const Row& row) {
  if (row.probe.x142_ok()) return {alt.id, alt.name, Result::Pass, ""};
  return {alt.id, alt.name, Result::Fail, reason_of(row)};
}

// The refusals that trusting a certificate can cure: the chain's anchor is what is missing.
bool signer_is_the_cause(verify::Cause cause) {
  using C = verify::Cause;
  return cause == C::SelfSigned || cause == C::UntrustedChain || cause == C::RekeyedCa || cause == C::MissingIntermediate;
}

std::optional<std::string> first_cn(X509* cert) {
  const auto facts = verify::doctor::certificate_facts(cert);
  return facts.first_cn;
}

std::string node_port(const Probe& p) { return mra::host_port(p.target.node, p.target.port); }

std::vector<ossl::X509Ptr> copies(const std::vector<ossl::X509Ptr>& certificates) {
  std::vector<ossl::X509Ptr> out;
  for (const auto& c : certificates) {
    X509_up_ref(c.get());
    out.emplace_back(c.get());
  }
  return out;
}

// Whether a probe that passes today still passes against an edited store, judged offline with
// every check; its reason when it does not.
std::optional<std::string> fails_with(const Probe& p, const std::vector<ossl::X509Ptr>& anchors, const OfflineSettings& offline) {
  if (!p.x142_ok() || p.chain_der.empty() || p.chain_der.size() != p.chain.size()) return std::nullopt;
  std::vector<ossl::X509Ptr> sent;
  for (const auto& der : p.chain_der) {
    auto cert = ossl::from_der(der);
    if (!cert) return std::nullopt;
    sent.push_back(std::move(*cert));
  }
  std::vector<X509*> untrusted;
  for (std::size_t i = 1; i < sent.size(); ++i) untrusted.push_back(sent[i].get());
  const auto verdict =
      verify_as_x14_2(sent.front().get(), untrusted, copies(anchors), p.checked_name, p.ip, offline.security_level, offline.at);
  if (verdict.accepted) return std::nullopt;
  return verdict.diagnosis.summary;
}

// Trusting what signed the ECDSA certificate heals a refusal only when the signer is the
// reason: the chain is judged again, offline, with it added, and every other check still runs.
// The trust store keeps one certificate per CN (CSCwa12905): an entry of the same CN is
// replaced, not joined, and every node-port that passes today is judged again against the
// edited store, since one anchored to the entry replaced would fail after.
AlternativeVerdict trust_signer(const verify::Alternative& alt, const Report& report, const NodeUpgrade& n,
                                const OfflineSettings& offline) {
  const Row* ecdsa = nullptr;
  for (std::size_t i : {n.after, n.if_changed}) {
    const auto& chain = report.rows[i].probe.chain;
    if (!chain.empty() && chain.front().key_type == "ECDSA") {
      ecdsa = &report.rows[i];
      break;
    }
  }
  if (!ecdsa) return {alt.id, alt.name, Result::NotApplicable, "presents no ECDSA certificate under either preference"};
  const Probe& p = ecdsa->probe;
  if (p.x142_ok()) return {alt.id, alt.name, Result::Pass, "its ECDSA certificate passes as it is"};
  if (p.outcome != ProbeOutcome::Refused) return judged_by(alt, *ecdsa);
  if (!signer_is_the_cause(ecdsa->diagnosis.cause))
    return {alt.id, alt.name, Result::Fail, "trusting its signer does not cure it: " + reason_of(*ecdsa)};
  if (p.chain_der.empty() || p.chain_der.size() != p.chain.size())
    return {alt.id, alt.name, Result::Unknown, "the chain the node sent could not be read again"};
  const auto& top = p.chain.back();
  if (!top.self_signed)
    return {alt.id, alt.name, Result::Unknown,
            "the node does not send the certificate that signed '" + top.subject_cn + "' ('" + top.issuer_cn +
                "'): take it from the node's Certificate Management and run check again with --trust"};
  std::vector<ossl::X509Ptr> sent;
  for (const auto& der : p.chain_der) {
    auto cert = ossl::from_der(der);
    if (!cert) return {alt.id, alt.name, Result::Unknown, "the chain the node sent could not be read again"};
    sent.push_back(std::move(*cert));
  }
  std::vector<ossl::X509Ptr> anchors;
  std::string replaced;
  const auto signer_cn = first_cn(sent.back().get());
  if (offline.trust)
    for (const auto& c : offline.trust->certificates()) {
      if (signer_cn && first_cn(c.get()) == signer_cn) {
        replaced = verify::summarize(c.get()).sha256;
        continue;
      }
      X509_up_ref(c.get());
      anchors.emplace_back(c.get());
    }
  X509_up_ref(sent.back().get());
  anchors.emplace_back(sent.back().get());
  std::vector<X509*> untrusted;
  for (std::size_t i = 1; i < sent.size(); ++i) untrusted.push_back(sent[i].get());
  const auto verdict = verify_as_x14_2(sent.front().get(), untrusted, copies(anchors), p.checked_name, p.ip,
                                       offline.security_level, offline.at);
  const std::string what = "'" + top.subject_cn + "' (SHA-256 " + top.sha256 + ")";
  if (!verdict.accepted) return {alt.id, alt.name, Result::Fail, "with " + what + " trusted it still fails: " + verdict.diagnosis.summary};
  // What the edited store does to every other node-port that passes today.
  std::vector<std::string> broken;
  for (const auto& row : report.rows)
    if (&row != ecdsa)
      if (auto why = fails_with(row.probe, anchors, offline))
        broken.push_back(node_port(row.probe) + " " + row.probe.preference + " (" + *why + ")");
  std::ranges::sort(broken);
  broken.erase(std::unique(broken.begin(), broken.end()), broken.end());
  if (!broken.empty()) {
    std::string list;
    for (const auto& b : broken) list += (list.empty() ? "" : "; ") + b;
    return {alt.id, alt.name, Result::Fail,
            "trusting " + what + (replaced.empty() ? "" : " replaces the trust store's '" + top.subject_cn + "' (SHA-256 " + replaced + ")") +
                ", and " + std::to_string(broken.size()) + " node-port" + (broken.size() == 1 ? "" : "s") +
                " that pass today would fail: " + list};
  }
  if (!replaced.empty())
    return {alt.id, alt.name, Result::Pass,
            "replace the trust store's '" + top.subject_cn + "' (SHA-256 " + replaced + ") with " + what +
                ": the Expressway-C trust store keeps one certificate per CN, so delete the old one first"};
  return {alt.id, alt.name, Result::Pass, "upload " + what + " to the Expressway-C trust store"};
}

}  // namespace

const char* to_string(AlternativeVerdict::Result r) {
  switch (r) {
    case Result::Pass: return "pass";
    case Result::Fail: return "FAIL";
    case Result::Unknown: return "unknown";
    case Result::NotApplicable: return "n/a";
  }
  return "?";
}

UpgradeReport judge_upgrade(const Report& report, std::vector<Probe> other_probes, verify::UpgradePath path,
                            const OfflineSettings& offline) {
  UpgradeReport u;
  u.path = std::move(path);
  std::map<std::pair<std::string, int>, std::size_t> index;
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    const Probe& p = report.rows[i].probe;
    if (p.target.protocol == "http") {
      u.plain_rows.push_back(i);
      if (!p.x142_ok()) ++u.failing_after;
      continue;
    }
    auto [at, added] = index.try_emplace({p.target.node, p.target.port}, u.nodes.size());
    if (added) u.nodes.push_back({p.target.node, p.ip, p.target.port, i, i, true, "", false, std::nullopt, "", {}});
    auto& n = u.nodes[at->second];
    (p.ciphers == u.path.ciphers_after ? n.after : n.if_changed) = i;
  }
  // A verdict under any string: one of the two judged rows, or one of the other probes.
  auto under = [&](const NodeUpgrade& n, const std::string& ciphers) -> std::optional<Row> {
    for (std::size_t i : {n.after, n.if_changed})
      if (report.rows[i].probe.ciphers == ciphers) return report.rows[i];
    for (const auto& p : other_probes)
      if (p.ciphers == ciphers && p.target.node == n.node && p.target.port == n.port) return judge({p}, {}).rows.front();
    return std::nullopt;
  };
  const auto alternatives = verify::steering_alternatives(u.path.ciphers_after);
  for (auto& n : u.nodes) {
    const Row& after = report.rows[n.after];
    n.tls13 = after.probe.tls_version == "TLSv1.3";
    if (!after.probe.x142_ok()) ++u.failing_after;
    if (!report.rows[n.if_changed].probe.x142_ok()) ++u.failing_if_changed;
    // Before X14.2 nothing is verified: only a handshake that fails under the string then fails.
    const auto before = under(n, u.path.ciphers_before);
    if (before && !before->probe.before_x142_ok()) {
      n.before_ok = false;
      n.before_reason = reason_of(*before);
    }
    // A string that is not the default, kept as it is by the upgrade: X14.2's verdict under it.
    if (u.path.custom_string && before) {
      n.kept_ok = before->probe.x142_ok();
      if (!*n.kept_ok) {
        n.kept_reason = reason_of(*before);
        ++u.failing_if_kept;
      }
    }
    for (const auto& alt : alternatives) {
      if (alt.kind == Kind::TrustSigner) {
        n.alternatives.push_back(trust_signer(alt, report, n, offline));
      } else if (auto row = under(n, alt.ciphers)) {
        n.alternatives.push_back(judged_by(alt, *row));
      } else {
        n.alternatives.push_back({alt.id, alt.name, Result::Unknown, "not probed"});
      }
    }
  }
  return u;
}

void count_after_the_upgrade(Report& report) {
  const UpgradeReport& u = *report.upgrade;
  report.failing = u.failing_after;
  report.fixes.clear();
  report.refused = false;
  auto count = [&](const Row& r) {
    if (r.probe.x142_ok()) return;
    report.fixes[r.fix].push_back(node_port(r.probe));
    report.refused = report.refused || r.probe.outcome == ProbeOutcome::Refused;
  };
  for (const auto& n : u.nodes) count(report.rows[n.after]);
  for (std::size_t i : u.plain_rows) count(report.rows[i]);
}

void print_upgrade(const Report& report, bool show_logs, std::ostream& os) {
  const UpgradeReport& u = *report.upgrade;
  const auto& rows = report.rows;
  print_change_date(report, os);
  os << "Upgrade, " << u.path.path_text() << ": " << u.path.rule << "\n"
     << "  cipher string before: " << u.path.ciphers_before << (u.path.custom_string ? " (not the default)" : "") << "\n"
     << "  cipher string after:  " << u.path.ciphers_after << (u.path.custom_string ? " (or the string before, kept as it is)" : "")
     << "\n\n";
  os << std::left << std::setw(26) << "node" << std::setw(16) << "address" << std::setw(6) << "port" << std::setw(8) << "before"
     << std::setw(8) << "after" << std::setw(24) << "if the string changes"
     << "reason after the upgrade\n";
  auto cell = [](bool ok) { return ok ? "pass" : "FAIL"; };
  for (const auto& n : u.nodes) {
    const Row& after = rows[n.after];
    const Row& other = rows[n.if_changed];
    os << std::setw(26) << n.node << std::setw(16) << after.probe.ip << std::setw(6) << n.port << std::setw(8)
       << cell(n.before_ok) << std::setw(8) << cell(after.probe.x142_ok()) << std::setw(24)
       << cell(other.probe.x142_ok()) << reason_of(after) << "\n";
    if (n.tls13)
      os << "  " << mra::host_port(n.node, n.port)
         << " negotiates TLS 1.3: the cipher string does not choose its certificate, so no cipher string change steers it\n";
  }
  for (std::size_t i : u.plain_rows) {
    const Row& r = rows[i];
    os << std::setw(26) << r.probe.target.node << std::setw(16) << r.probe.ip << std::setw(6) << r.probe.target.port
       << std::setw(8) << cell(r.probe.before_x142_ok()) << std::setw(8) << cell(r.probe.x142_ok()) << std::setw(24) << "-"
       << reason_of(r) << "\n";
  }
  os << std::right;
  for (const auto& note : report.notes) os << "note: " << note << "\n";
  if (u.path.custom_string) {
    os << "\nIf the upgrade keeps the string as it is (it is not the default, and the release notes speak of the default "
          "list):\n";
    for (const auto& n : u.nodes)
      if (n.kept_ok)
        os << "- " << mra::host_port(n.node, n.port) << ": " << (*n.kept_ok ? "pass" : "FAIL: " + n.kept_reason) << "\n";
  }

  // count_after_the_upgrade made the report's fixes those after the upgrade.
  if (report.fixes.empty()) {
    os << "\nAfter the upgrade (" << u.path.path_text() << "), every node and port passes X14.2's origin verification.\n";
  } else {
    os << "\nWhat to change before the upgrade (" << u.path.path_text() << "):\n";
    for (const auto& [fix, affected] : report.fixes) {
      os << "- " << fix << "\n  affects:";
      for (const auto& a : affected) os << " " << a << ";";
      os << "\n";
    }
    if (report.refused) os << "\n" << verify::kVerifyOffWorkaround << "\n";
  }

  // Only where the certificate refused after the upgrade is an ECDSA one: elsewhere no change of
  // the string or of trust in tomcat-ECDSA bears on the failure (the JSON keeps every verdict).
  bool steering_header = false;
  for (const auto& n : u.nodes) {
    const Probe& after = rows[n.after].probe;
    if (after.x142_ok() || after.chain.empty() || after.chain.front().key_type != "ECDSA") continue;
    if (!steering_header) os << "\nWays to steer away from ECDSA, where the upgrade fails on an ECDSA certificate:\n";
    steering_header = true;
    os << "  " << mra::host_port(n.node, n.port) << "\n";
    for (const auto& a : n.alternatives) {
      os << "    " << std::left << std::setw(48) << a.name << std::setw(8) << to_string(a.result) << std::right << a.detail << "\n";
    }
  }

  print_date_warnings(report, os);

  bool risk_header = false;
  for (const auto& n : u.nodes) {
    const Row& after = rows[n.after];
    const Row& other = rows[n.if_changed];
    if (!after.probe.x142_ok() || other.probe.x142_ok()) continue;
    if (!risk_header)
      os << "\nIf the cipher string changes (" << u.path.changed_how << "), these would fail:\n";
    risk_header = true;
    os << "- " << node_port(other.probe) << ": " << reason_of(other) << "\n  fix: " << other.fix << "\n";
  }

  if (show_logs)
    for (const auto& n : u.nodes)
      if (const Row& r = rows[n.after]; !r.probe.x142_lines.empty()) {
        os << "\n" << node_port(r.probe) << " after the upgrade, as X14.2 logs it:\n";
        for (const auto& l : r.probe.x142_lines) os << "  " << l << "\n";
      }
}

nlohmann::json upgrade_json(const Report& report) {
  const UpgradeReport& u = *report.upgrade;
  const auto& rows = report.rows;
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : u.nodes) {
    const Row& after = rows[n.after];
    const Row& other = rows[n.if_changed];
    nlohmann::json alternatives = nlohmann::json::array();
    for (const auto& a : n.alternatives)
      alternatives.push_back({{"id", a.id}, {"name", a.name}, {"result", to_string(a.result)}, {"detail", a.detail}});
    nodes.push_back({{"node", n.node},
                     {"ip", n.ip},
                     {"port", n.port},
                     {"tls13", n.tls13},
                     {"protocol", "https"},
                     {"before", n.before_ok},
                     {"reason_before", n.before_reason},
                     {"after", after.probe.x142_ok()},
                     {"reason_after", reason_of(after)},
                     {"fix_after", after.fix},
                     {"if_cipher_string_changes", other.probe.x142_ok()},
                     {"reason_if_cipher_string_changes", reason_of(other)},
                     {"fix_if_cipher_string_changes", other.fix},
                     {"if_kept_as_it_is", n.kept_ok ? nlohmann::json(*n.kept_ok) : nlohmann::json()},
                     {"reason_if_kept_as_it_is", n.kept_reason},
                     {"alternatives", alternatives}});
  }
  for (std::size_t i : u.plain_rows) {
    const Row& r = rows[i];
    nodes.push_back({{"node", r.probe.target.node},
                     {"ip", r.probe.ip},
                     {"port", r.probe.target.port},
                     {"protocol", "http"},
                     {"before", r.probe.before_x142_ok()},
                     {"after", r.probe.x142_ok()},
                     {"reason_after", reason_of(r)},
                     {"fix_after", r.fix},
                     {"if_cipher_string_changes", nullptr},
                     {"alternatives", nlohmann::json::array()}});
  }
  return {{"from", u.path.from ? nlohmann::json(u.path.from->to_string()) : nlohmann::json("fresh")},
          {"rule", u.path.rule},
          {"ciphers_before", u.path.ciphers_before},
          {"ciphers_after", u.path.ciphers_after},
          {"ciphers_if_changed", u.path.ciphers_if_changed},
          {"changed_how", u.path.changed_how},
          {"preference_after", verify::to_string(u.path.preference_after)},
          {"failing_after", u.failing_after},
          {"failing_if_cipher_string_changes", u.failing_if_changed},
          {"custom_string", u.path.custom_string},
          {"failing_if_kept_as_it_is", u.path.custom_string ? nlohmann::json(u.failing_if_kept) : nlohmann::json()},
          {"nodes", nodes}};
}

}  // namespace mratls::check
