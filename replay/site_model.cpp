#include "replay/site_model.hpp"

#include <algorithm>
#include <set>

#include "scan/outcome_text.hpp"

namespace mratls::replay {
namespace {

// The traffic server's verification lines (DESIGN §6): the chain check and the name check.
bool verification_line(const std::string& l) {
  return l.find("Core server certificate verification failed for (") != std::string::npos ||
         (l.find("WARNING: SNI (") != std::string::npos && l.find(") not in certificate.") != std::string::npos);
}

bool verified(const scan::TransactionRecord& t) { return std::ranges::any_of(t.reasons, verification_line); }

std::string utc(std::int64_t ms) { return verify::doctor::iso_time(static_cast<std::time_t>(ms / 1000)); }

// When the verification lines start and stop: the same origins passing without them before the
// first (a version before X14.2 until then, or Off) or after the last (Off since, or fixed).
void timeline(const std::vector<const scan::TransactionRecord*>& ts, InferredSettings& s) {
  std::optional<std::int64_t> first, last;
  std::set<std::pair<std::string, int>> checked;
  for (const auto* t : ts)
    if (verified(*t)) {
      first = std::min(first.value_or(t->start_ms), t->start_ms);
      last = std::max(last.value_or(t->start_ms), t->start_ms);
      checked.insert({t->host, t->port});
    }
  if (!first) return;
  std::size_t before = 0, after = 0;
  for (const auto* t : ts) {
    if (!checked.contains({t->host, t->port}) || verified(*t) || t->status >= 400) continue;
    if (t->start_ms < *first) ++before;
    if (t->start_ms > *last) ++after;
  }
  if (before)
    s.evidence.push_back(std::to_string(before) + " request(s) to the same origins passed without a verification line before " +
                         utc(*first) + ": a version before X14.2 (or VerifyOriginServer Off) until then; the replay runs the "
                         "setting the failures show");
  if (after)
    s.evidence.push_back(std::to_string(after) + " request(s) to the same origins passed without a verification line after " +
                         utc(*last) + ": VerifyOriginServer Off since then, or the certificates fixed");
}

InferredSettings settings_of(const std::vector<const scan::TransactionRecord*>& ts) {
  InferredSettings s;
  bool terminate = false, proceed = false;
  for (const auto* t : ts)
    for (const auto& l : t->reasons) {
      if (!verification_line(l)) continue;
      terminate = terminate || l.find("Action=Terminate") != std::string::npos;
      proceed = proceed || l.find("Action=Continue") != std::string::npos;
    }
  if (terminate) {
    s.verify = config::VerifyOriginServer::On;
    s.verifies_per_request = true;
    s.evidence.push_back("verification lines with Action=Terminate: X14.2 or later, VerifyOriginServer On");
  } else if (proceed) {
    s.verify = config::VerifyOriginServer::LogOnly;
    s.verifies_per_request = true;
    s.evidence.push_back("verification lines with Action=Continue: X14.2 or later, VerifyOriginServer log-only");
  } else {
    s.evidence.push_back("no verification line: a version before X14.2, or VerifyOriginServer Off (the lines cannot tell which)");
  }
  if (terminate && proceed) s.evidence.push_back("both Action=Terminate and Action=Continue: the setting changed during the log");
  timeline(ts, s);
  return s;
}

}  // namespace

config::ServerType server_type(const std::string& rule_type, int port, const std::string& path) {
  if (rule_type.find("IM and Presence") != std::string::npos || rule_type.find("IM&P") != std::string::npos)
    return config::ServerType::ImAndPresence;
  if (rule_type.find("Unity") != std::string::npos) return config::ServerType::UnityConnection;
  if (rule_type.find("CUCM") != std::string::npos) return config::ServerType::UnifiedCm;
  if (port == 443 || path.starts_with("/vmrest")) return config::ServerType::UnityConnection;
  if (path.starts_with("/EPASSoap") || path.starts_with("/cup")) return config::ServerType::ImAndPresence;
  return config::ServerType::UnifiedCm;
}

std::vector<SiteModel> infer_sites(const std::vector<scan::TransactionRecord>& transactions) {
  std::vector<std::string> systems;
  for (const auto& t : transactions)
    if (std::ranges::find(systems, t.system) == systems.end()) systems.push_back(t.system);
  std::vector<SiteModel> out;
  for (const auto& system : systems) {
    SiteModel site{system, {}, {}, {}};
    std::vector<const scan::TransactionRecord*> mine;
    for (const auto& t : transactions) {
      if (t.system != system) continue;
      mine.push_back(&t);
      if (std::ranges::find(site.domains, t.domain) == site.domains.end()) site.domains.push_back(t.domain);
      auto origin = std::ranges::find_if(site.origins, [&](const SiteOrigin& o) { return o.host == t.host && o.port == t.port; });
      if (origin == site.origins.end())
        origin = site.origins.insert(site.origins.end(),
                                     SiteOrigin{t.host, t.port, t.protocol, t.host_is_ip, t.domain, server_type(t.rule_type, t.port, t.path),
                                                {}, 0, false, {}, {}, std::nullopt});
      // A rule type logged later says more than the port did.
      if (!t.rule_type.empty()) origin->type = server_type(t.rule_type, t.port, t.path);
      origin->requests.push_back({t.method, t.path, t.user, t.status, t.start_ms});
      const bool failed = t.status >= 500 || t.status == 403 || t.denied;
      // A failure stands for the origin over an earlier warning, a certificate failure over an
      // earlier network one (a node rebooting before it refused the chain); else the first wins.
      const auto outcome = t.reasons.empty() ? std::nullopt : scan::outcome_of(t.reasons);
      const auto diagnosis = outcome ? verify::explain(*outcome) : verify::Diagnosis{};
      const bool verification = verify::is_verification_failure(diagnosis.cause);
      const bool shown_verification = origin->troubled() && verify::is_verification_failure(origin->diagnosis.cause);
      if ((failed && !origin->failed) || (!origin->troubled() && !t.reasons.empty()) ||
          (failed && verification && !shown_verification)) {
        origin->shown = origin->requests.size() - 1;
        origin->failed = failed;
        origin->lines = t.reasons;
        origin->diagnosis = diagnosis;
      }
    }
    site.settings = settings_of(mine);
    out.push_back(std::move(site));
  }
  return out;
}

}  // namespace mratls::replay
