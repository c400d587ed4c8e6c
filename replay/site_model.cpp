#include "replay/site_model.hpp"

#include <algorithm>

#include "scan/outcome_text.hpp"

namespace mratls::replay {
namespace {

// The traffic server's verification lines (DESIGN §6): the chain check and the name check.
bool verification_line(const std::string& l) {
  return l.find("Core server certificate verification failed for (") != std::string::npos ||
         (l.find("WARNING: SNI (") != std::string::npos && l.find(") not in certificate.") != std::string::npos);
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
      origin->requests.push_back({t.method, t.path, t.status, t.start_ms});
      const bool failed = t.status >= 500 || t.status == 403 || t.denied;
      // A failure stands for the origin over an earlier warning; the first of each kind wins.
      if ((failed && !origin->failed) || (!origin->troubled() && !t.reasons.empty())) {
        origin->shown = origin->requests.size() - 1;
        origin->failed = failed;
        origin->lines = t.reasons;
        origin->diagnosis = {};
        if (auto outcome = scan::outcome_of(t.reasons)) origin->diagnosis = verify::explain(*outcome);
      }
    }
    site.settings = settings_of(mine);
    out.push_back(std::move(site));
  }
  return out;
}

}  // namespace mratls::replay
