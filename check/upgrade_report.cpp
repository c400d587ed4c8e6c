#include "check/upgrade_report.hpp"

#include <iomanip>
#include <map>

#include "check/offline_verdict.hpp"
#include "check/report.hpp"
#include "mra/mra_path.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::check {
namespace {

using Result = AlternativeVerdict::Result;

AlternativeVerdict judged_by(const verify::Alternative& alt, const Row& row) {
  if (row.probe.x142_ok()) return {alt.id, alt.name, Result::Pass, ""};
  return {alt.id, alt.name, Result::Fail, reason_of(row)};
}

AlternativeVerdict judged_by(const verify::Alternative& alt, const Probe& probe) {
  Report single = judge({probe}, {});
  return judged_by(alt, single.rows.front());
}

std::optional<ossl::X509Ptr> from_der(const std::string& der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &bytes, static_cast<long>(der.size()));
  if (!cert) return std::nullopt;
  return ossl::X509Ptr(cert);
}

// Trusting what signed the ECDSA certificate heals a refusal only when the signer is the
// reason: the chain is judged again, offline, with it added, and every other check still runs.
AlternativeVerdict trust_signer(const verify::Alternative& alt, const Report& report, const NodeUpgrade& n, const OfflineSettings& offline) {
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
  const auto& top = p.chain.back();
  if (!top.self_signed)
    return {alt.id, alt.name, Result::Unknown,
            "the node does not send the certificate that signed '" + top.subject_cn + "' ('" + top.issuer_cn +
                "'): take it from the node's Certificate Management and run check again with --trust"};
  std::vector<ossl::X509Ptr> owned;
  for (const auto& der : p.chain_der) {
    auto cert = from_der(der);
    if (!cert) return {alt.id, alt.name, Result::Unknown, "the certificate the node sent could not be read again"};
    owned.push_back(std::move(*cert));
  }
  std::vector<ossl::X509Ptr> anchors;
  if (offline.trust)
    for (const auto& c : offline.trust->certificates()) {
      X509_up_ref(c.get());
      anchors.emplace_back(c.get());
    }
  X509_up_ref(owned.back().get());
  anchors.emplace_back(owned.back().get());
  std::vector<X509*> untrusted;
  for (std::size_t i = 1; i < owned.size(); ++i) untrusted.push_back(owned[i].get());
  const auto verdict = verify_as_x14_2(owned.front().get(), untrusted, std::move(anchors), p.checked_name, p.ip,
                                       offline.security_level, offline.at);
  const std::string what = "'" + top.subject_cn + "' (SHA-256 " + top.sha256 + ")";
  if (verdict.accepted) return {alt.id, alt.name, Result::Pass, "upload " + what + " to the Expressway-C trust store"};
  return {alt.id, alt.name, Result::Fail, "with " + what + " trusted it still fails: " + verdict.diagnosis.summary};
}

std::string node_port(const Probe& p) { return mra::host_port(p.target.node, p.target.port); }

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

UpgradeReport judge_upgrade(const Report& report, std::vector<Probe> alternative_probes, verify::UpgradePath path,
                            const OfflineSettings& offline) {
  UpgradeReport u;
  u.path = std::move(path);
  const bool after_is_rsa_row = verify::is_rsa_first(u.path.ciphers_after);
  std::map<std::pair<std::string, int>, std::size_t> index;
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    const Probe& p = report.rows[i].probe;
    if (p.target.protocol == "http") {
      u.plain_rows.push_back(i);
      if (!p.x142_ok()) ++u.failing_after;
      continue;
    }
    auto [at, added] = index.try_emplace({p.target.node, p.target.port}, u.nodes.size());
    if (added) u.nodes.push_back({p.target.node, p.ip, p.target.port, i, i, false, {}});
    auto& n = u.nodes[at->second];
    ((p.preference == "RSA-first") == after_is_rsa_row ? n.after : n.if_changed) = i;
  }
  const auto alternatives = verify::steering_alternatives(u.path.ciphers_after);
  for (auto& n : u.nodes) {
    const Row& after = report.rows[n.after];
    n.tls13 = after.probe.tls_version == "TLSv1.3";
    if (!after.probe.x142_ok()) ++u.failing_after;
    if (!report.rows[n.if_changed].probe.x142_ok()) ++u.failing_if_changed;
    for (const auto& alt : alternatives) {
      if (alt.id == "prepend") {
        n.alternatives.push_back(judged_by(alt, report.rows[after_is_rsa_row ? n.after : n.if_changed]));
      } else if (alt.id == "trust-signer") {
        n.alternatives.push_back(trust_signer(alt, report, n, offline));
      } else {
        auto probe = std::find_if(alternative_probes.begin(), alternative_probes.end(), [&](const Probe& p) {
          return p.preference == alt.id && p.target.node == n.node && p.target.port == n.port;
        });
        if (probe == alternative_probes.end()) n.alternatives.push_back({alt.id, alt.name, Result::Unknown, "not probed"});
        else n.alternatives.push_back(judged_by(alt, *probe));
      }
    }
  }
  return u;
}

void print_upgrade(const Report& report, bool show_logs, std::ostream& os) {
  const UpgradeReport& u = *report.upgrade;
  const auto& rows = report.rows;
  print_change_date(report, os);
  os << "Upgrade to X14.2 from " << u.path.from_text() << ": " << u.path.rule << "\n"
     << "  cipher string before: " << u.path.ciphers_before << "\n"
     << "  cipher string after:  " << u.path.ciphers_after << "\n\n";
  os << std::left << std::setw(26) << "node" << std::setw(16) << "address" << std::setw(6) << "port" << std::setw(8) << "before"
     << std::setw(8) << "after" << std::setw(24) << "if the string changes"
     << "reason after the upgrade\n";
  auto cell = [](bool ok) { return ok ? "pass" : "FAIL"; };
  for (const auto& n : u.nodes) {
    const Row& after = rows[n.after];
    const Row& other = rows[n.if_changed];
    os << std::setw(26) << n.node << std::setw(16) << after.probe.ip << std::setw(6) << n.port << std::setw(8)
       << cell(after.probe.before_x142_ok()) << std::setw(8) << cell(after.probe.x142_ok()) << std::setw(24)
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

  std::map<std::string, std::vector<std::string>> fixes;
  bool refused = false;
  for (const auto& n : u.nodes)
    if (const Row& r = rows[n.after]; !r.probe.x142_ok()) {
      fixes[r.fix].push_back(node_port(r.probe));
      refused = refused || r.probe.outcome == ProbeOutcome::Refused;
    }
  for (std::size_t i : u.plain_rows)
    if (!rows[i].probe.x142_ok()) fixes[rows[i].fix].push_back(node_port(rows[i].probe));
  if (fixes.empty()) {
    os << "\nAfter the upgrade from " << u.path.from_text() << ", every node and port passes X14.2's origin verification.\n";
  } else {
    os << "\nWhat to change before upgrading from " << u.path.from_text() << " to X14.2:\n";
    for (const auto& [fix, affected] : fixes) {
      os << "- " << fix << "\n  affects:";
      for (const auto& a : affected) os << " " << a << ";";
      os << "\n";
    }
    if (refused) os << "\n" << verify::kVerifyOffWorkaround << "\n";
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
      os << "\nIf the cipher string changes (" << (verify::is_rsa_first(u.path.ciphers_after) ? "the prefix removed" : "the prefix added")
         << "), these would fail:\n";
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
                     {"before", after.probe.before_x142_ok()},
                     {"after", after.probe.x142_ok()},
                     {"reason_after", reason_of(after)},
                     {"fix_after", after.fix},
                     {"if_cipher_string_changes", other.probe.x142_ok()},
                     {"reason_if_cipher_string_changes", reason_of(other)},
                     {"fix_if_cipher_string_changes", other.fix},
                     {"alternatives", alternatives}});
  }
  return {{"from", u.path.from ? nlohmann::json(u.path.from->to_string()) : nlohmann::json("fresh")},
          {"rule", u.path.rule},
          {"ciphers_before", u.path.ciphers_before},
          {"ciphers_after", u.path.ciphers_after},
          {"preference_after", verify::to_string(u.path.preference_after)},
          {"failing_after", u.failing_after},
          {"failing_if_cipher_string_changes", u.failing_if_changed},
          {"nodes", nodes}};
}

}  // namespace mratls::check
