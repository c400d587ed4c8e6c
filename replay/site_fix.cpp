#include "replay/site_fix.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>

#include "verify/fix_catalogue.hpp"

namespace mratls::replay {
namespace {

// The exact search stays cheap up to this many real fixes; beyond it, greedy cover.
constexpr std::size_t kExactSearchLimit = 16;

std::optional<FixKind> fix_for(Build b, bool by_ip) {
  switch (b) {
    case Build::SelfSigned: return FixKind::TrustNodeCertificate;
    case Build::UntrustedRoot: return FixKind::TrustCa;
    case Build::Expired:
    case Build::NotYetValid: return FixKind::RenewCertificate;
    case Build::OtherName: return by_ip ? FixKind::AdvertiseFqdn : FixKind::AddNameToCertificate;
    case Build::RefusesClientCertificate: return FixKind::TrustExpresswayOnNode;
    default: return std::nullopt;
  }
}

std::set<std::size_t> covered(const std::vector<std::size_t>& chosen, const std::vector<std::set<std::size_t>>& heals) {
  std::set<std::size_t> out;
  for (auto f : chosen) out.insert(heals[f].begin(), heals[f].end());
  return out;
}

bool covers(const std::set<std::size_t>& got, const std::set<std::size_t>& want) {
  return std::ranges::includes(got, want);
}

std::vector<std::size_t> greedy(const std::vector<std::size_t>& pool, const std::vector<std::set<std::size_t>>& heals,
                                std::set<std::size_t> left) {
  std::vector<std::size_t> chosen;
  while (!left.empty()) {
    std::size_t best = pool.size(), best_gain = 0;
    for (std::size_t i = 0; i < pool.size(); ++i) {
      std::size_t gain = 0;
      for (auto o : heals[pool[i]]) gain += left.count(o);
      if (gain > best_gain) best = i, best_gain = gain;
    }
    if (best == pool.size()) break;
    chosen.push_back(pool[best]);
    for (auto o : heals[pool[best]]) left.erase(o);
  }
  return chosen;
}

// The fewest of `pool` that heal all of `want`, the earliest candidates on a tie.
std::vector<std::size_t> fewest(const std::vector<std::size_t>& pool, const std::vector<std::set<std::size_t>>& heals,
                                const std::set<std::size_t>& want) {
  if (pool.size() > kExactSearchLimit) return greedy(pool, heals, want);
  std::optional<std::uint32_t> best;
  for (std::uint32_t mask = 0; mask < (1u << pool.size()); ++mask) {
    if (best && std::popcount(mask) >= std::popcount(*best)) continue;
    std::vector<std::size_t> chosen;
    for (std::size_t i = 0; i < pool.size(); ++i)
      if (mask & (1u << i)) chosen.push_back(pool[i]);
    if (covers(covered(chosen, heals), want)) best = mask;
  }
  std::vector<std::size_t> out;
  if (best)
    for (std::size_t i = 0; i < pool.size(); ++i)
      if (*best & (1u << i)) out.push_back(pool[i]);
  return out;
}

}  // namespace

bool SiteFix::applies_to(std::size_t origin) const { return std::ranges::find(origins, origin) != origins.end(); }

std::vector<SiteFix> candidate_fixes(const SiteModel& site, const std::vector<NodeShape>& shapes,
                                     const std::vector<NodeFacts>& facts) {
  std::vector<SiteFix> out;
  bool verification = false;
  SiteFix rsa_first{FixKind::RsaFirst, {}, kRsaFirstChange, false,
                    "the evidence shows the ECDSA certificate only; the lab gave the node a CA-signed RSA certificate "
                    "(tomcat) beside it, as CUCM has"};
  for (std::size_t i = 0; i < site.origins.size() && i < shapes.size(); ++i) {
    const auto& o = site.origins[i];
    if (!o.troubled()) continue;
    verification = verification || verify::is_verification_failure(o.diagnosis.cause);
    const auto kind = fix_for(shapes[i].build, o.host_is_ip);
    if (!kind) continue;
    const auto node = i < facts.size() ? facts[i] : NodeFacts{};
    if (node.left_out && *kind == FixKind::TrustCa)
      out.push_back({FixKind::SendIntermediate, {i}, "Make " + o.host + " send its full chain, the intermediate CA it leaves out included (on CUCM: "
                     "upload the intermediate as tomcat-trust, then the signed certificate again).", false,
                     "the capture shows the intermediate's name only; the lab assumed the trust store holds the root above it"});
    if (node.dual && site.settings.preference != verify::CertificatePreference::Rsa) rsa_first.origins.push_back(i);
    // The lines do not name the CA, so the chains the lab builds for them all lead to one:
    // trusting it is one change for every origin it heals.
    if (*kind == FixKind::TrustCa) {
      auto same = std::ranges::find_if(out, [](const SiteFix& f) { return f.kind == FixKind::TrustCa; });
      if (same != out.end()) {
        same->origins.push_back(i);
        same->note = "the lines do not name the CA; the lab gave these origins one, so one upload heals them all only if "
                     "they share it (a capture or `mratls check` shows their issuers); " + same->note;
        continue;
      }
    }
    std::string note;
    if (*kind == FixKind::TrustCa && !(o.captured && o.captured->chain.size() > 1))
      note = o.captured && !o.captured->chain.empty()
                 ? "the node sends its certificate alone; the lab took its issuer for a root: if that issuer is an "
                   "intermediate, the trust store needs its root too"
                 : "from the lines alone this error fits a root the store lacks, an intermediate left out or a re-keyed "
                   "CA; the lab built the first (a capture or `mratls check` tells them apart)";
    out.push_back({*kind, {i}, o.diagnosis.fix, false, note});
  }
  if (!rsa_first.origins.empty()) out.push_back(std::move(rsa_first));
  if (verification) {
    SiteFix off{FixKind::VerifyOff, {}, verify::kVerifyOffWorkaround, true, {}};
    for (std::size_t i = 0; i < site.origins.size(); ++i) off.origins.push_back(i);
    out.push_back(std::move(off));
  }
  return out;
}

HealingPlan shortest_healing(const std::vector<SiteFix>& fixes, const std::vector<std::set<std::size_t>>& heals,
                             const std::set<std::size_t>& troubled) {
  std::vector<std::size_t> real, workaround;
  for (std::size_t f = 0; f < fixes.size() && f < heals.size(); ++f) (fixes[f].workaround ? workaround : real).push_back(f);
  // What real fixes can heal, they heal; the workaround covers only the rest.
  std::set<std::size_t> healable;
  for (auto f : real)
    for (auto o : heals[f])
      if (troubled.count(o)) healable.insert(o);
  HealingPlan plan;
  plan.fixes = fewest(real, heals, healable);
  std::set<std::size_t> rest;
  for (auto o : troubled)
    if (!healable.count(o)) rest.insert(o);
  for (auto w : workaround) {
    std::set<std::size_t> gain;
    for (auto o : heals[w])
      if (rest.count(o)) gain.insert(o);
    if (gain.empty()) continue;
    plan.fixes.push_back(w);
    for (auto o : gain) rest.erase(o);
  }
  std::ranges::sort(plan.fixes);
  plan.unhealed = std::move(rest);
  return plan;
}

const char* to_string(FixKind k) {
  switch (k) {
    case FixKind::TrustNodeCertificate: return "trust-node-certificate";
    case FixKind::TrustCa: return "trust-ca";
    case FixKind::RenewCertificate: return "renew-certificate";
    case FixKind::AddNameToCertificate: return "add-name-to-certificate";
    case FixKind::AdvertiseFqdn: return "advertise-fqdn";
    case FixKind::TrustExpresswayOnNode: return "trust-expressway-on-node";
    case FixKind::SendIntermediate: return "send-intermediate";
    case FixKind::RsaFirst: return "rsa-first";
    case FixKind::VerifyOff: return "verify-origin-server-off";
  }
  return "?";
}

}  // namespace mratls::replay
