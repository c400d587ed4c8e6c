#include "check/change_board.hpp"

#include <algorithm>
#include <map>

#include "check/report.hpp"
#include "mra/mra_path.hpp"
#include "verify/doctor/certificate_facts.hpp"

namespace mratls::check {
namespace {

using State = BoardCell::State;

// Where each fix is made, in the order to make them: the nodes' certificates first (a reissued
// certificate may have another issuer), then the names the cluster advertises, then the trust
// store with what the nodes present by then, then what is not verification at all.
struct Place {
  int step;
  const char* where;
};
Place place_of(verify::Cause cause) {
  using C = verify::Cause;
  switch (cause) {
    case C::Expired:
    case C::NotYetValid:
    case C::NameNotInCertificate:
    case C::MissingIntermediate:
    case C::ClientCertRejected:
      return {1, "on the node: Cisco Unified OS Administration > Security > Certificate Management"};
    case C::IpNotInCertificate:
      return {2, "CUCM Administration: System > Server, then on Expressway-C refresh the Unified CM servers"};
    case C::SelfSigned:
    case C::UntrustedChain:
    case C::RekeyedCa:
      return {3, "Expressway-C: Maintenance > Security > Trusted CA certificate"};
    default:
      return {4, "the node's network and TLS service (fails before X14.2 too)"};
  }
}

BoardCell cell_of(const Row& row) {
  if (row.probe.x142_ok()) return {State::Pass, ""};
  return {State::Fail, reason_of(row)};
}

BoardCell before_cell(const Row& row) {
  if (row.probe.before_x142_ok()) return {State::Pass, ""};
  return {State::Fail, reason_of(row)};
}

BoardCell cell_of(const AlternativeVerdict& a) {
  switch (a.result) {
    case AlternativeVerdict::Result::Pass: return {State::Pass, a.detail};
    case AlternativeVerdict::Result::Fail: return {State::Fail, a.detail};
    case AlternativeVerdict::Result::Unknown: return {State::Unknown, a.detail};
    case AlternativeVerdict::Result::NotApplicable: return {State::NotApplicable, a.detail};
  }
  return {};
}

BoardFailure failure_of(const Row& row, std::string setting) {
  BoardFailure f{mra::host_port(row.probe.target.node, row.probe.target.port), std::move(setting), reason_of(row), "", "", "", row.fix};
  if (!row.probe.chain.empty()) {
    const auto& leaf = row.probe.chain.front();
    f.subject = leaf.subject;
    f.issuer = leaf.issuer;
    f.sha256 = leaf.sha256;
  }
  return f;
}

// The fixes of the rows given, once each, with what they cure, in the order to apply them.
std::vector<BoardFix> ordered_fixes(const std::vector<const Row*>& failing) {
  std::vector<BoardFix> fixes;
  for (const Row* r : failing) {
    const std::string where = mra::host_port(r->probe.target.node, r->probe.target.port);
    auto known = std::ranges::find_if(fixes, [&](const BoardFix& f) { return f.fix == r->fix; });
    if (known == fixes.end()) {
      const Place place = place_of(r->diagnosis.cause);
      fixes.push_back({place.step, place.where, r->fix, {where}});
    } else if (std::ranges::find(known->affected, where) == known->affected.end()) {
      known->affected.push_back(where);
    }
  }
  std::ranges::stable_sort(fixes, {}, &BoardFix::step);
  return fixes;
}

}  // namespace

const char* to_string(BoardCell::State s) {
  switch (s) {
    case State::Pass: return "pass";
    case State::Fail: return "FAIL";
    case State::Unknown: return "unknown";
    case State::NotApplicable: return "n/a";
  }
  return "?";
}

ChangeBoard change_board(const Report& report, const BoardContext& context) {
  ChangeBoard b;
  b.site = context.site;
  b.tool_version = context.tool_version;
  b.checked_at = context.checked_at;
  b.warnings = report.date_warnings;
  b.notes = report.notes;
  if (report.at) b.at = verify::doctor::iso_time(*report.at);
  const auto& rows = report.rows;
  std::vector<const Row*> failing;

  if (report.upgrade) {
    const UpgradeReport& u = *report.upgrade;
    b.version_path = u.path.path_text();
    b.rule = u.path.rule;
    b.ciphers_before = u.path.ciphers_before;
    b.ciphers_after = u.path.ciphers_after;
    b.columns = {"before X14.2", "after the upgrade", "if the cipher string changes"};
    for (const auto& alt : verify::steering_alternatives(u.path.ciphers_after)) b.columns.push_back(alt.name);
    for (const auto& n : u.nodes) {
      const Row& after = rows[n.after];
      const Row& other = rows[n.if_changed];
      const BoardCell before = n.before_ok ? BoardCell{State::Pass, ""} : BoardCell{State::Fail, n.before_reason};
      BoardRow row{n.node, after.probe.ip, n.port, {before, cell_of(after), cell_of(other)}};
      for (const auto& a : n.alternatives) row.cells.push_back(cell_of(a));
      b.rows.push_back(std::move(row));
      if (!after.probe.x142_ok()) {
        failing.push_back(&after);
        b.failures.push_back(failure_of(after, "after the upgrade"));
      } else if (!other.probe.x142_ok()) {
        b.risks.push_back(failure_of(other, "if the cipher string changes (" + u.path.changed_how + ")"));
      }
    }
    for (std::size_t i : u.plain_rows) {
      const Row& r = rows[i];
      BoardRow row{r.probe.target.node, r.probe.ip, r.probe.target.port, {before_cell(r), cell_of(r)}};
      row.cells.resize(b.columns.size(), {State::NotApplicable, "plain HTTP: not subject to verification"});
      b.rows.push_back(std::move(row));
      if (!r.probe.x142_ok()) {
        failing.push_back(&r);
        b.failures.push_back(failure_of(r, "after the upgrade"));
      }
    }
  } else {
    b.version_path = "the running version to X14.2";
    b.rule = "without --from: every node under both cipher preferences";
    b.ciphers_before = b.ciphers_after = context.ciphers;
    b.columns = {"before X14.2", "X14.2, ECDSA-first", "X14.2, RSA-first"};
    std::map<std::pair<std::string, int>, std::size_t> index;
    for (const auto& r : rows) {
      auto [at, added] = index.try_emplace({r.probe.target.node, r.probe.target.port}, b.rows.size());
      if (added)
        b.rows.push_back({r.probe.target.node, r.probe.ip, r.probe.target.port,
                          {before_cell(r), {State::NotApplicable, ""}, {State::NotApplicable, ""}}});
      auto& row = b.rows[at->second];
      if (!r.probe.before_x142_ok()) row.cells[0] = before_cell(r);
      const bool plain = r.probe.target.protocol == "http";
      if (plain || r.probe.preference == verify::label(verify::CertificatePreference::Ecdsa)) row.cells[1] = cell_of(r);
      if (plain || r.probe.preference == verify::label(verify::CertificatePreference::Rsa)) row.cells[2] = cell_of(r);
      if (!r.probe.x142_ok()) {
        failing.push_back(&r);
        b.failures.push_back(failure_of(r, plain ? "X14.2" : "X14.2, " + r.probe.preference));
      }
    }
  }
  // Node ports, not probes: one that fails under both preferences counts once. With an upgrade
  // path only "after the upgrade" (column 1) is the verdict; without, both X14.2 columns.
  const std::size_t verdict_columns = report.upgrade ? 1 : 2;
  b.failing = static_cast<std::size_t>(std::ranges::count_if(b.rows, [&](const BoardRow& r) {
    for (std::size_t c = 1; c <= verdict_columns && c < r.cells.size(); ++c)
      if (r.cells[c].state == State::Fail) return true;
    return false;
  }));
  b.fixes = ordered_fixes(failing);
  for (std::size_t i = 0; i < b.fixes.size(); ++i) b.fixes[i].step = static_cast<int>(i) + 1;
  b.workaround = std::ranges::any_of(failing, [](const Row* r) { return r->probe.outcome == ProbeOutcome::Refused; });
  return b;
}

}  // namespace mratls::check
