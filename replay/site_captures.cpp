#include "replay/site_captures.hpp"

#include <cstdlib>
#include <limits>
#include <type_traits>

#include "config/ascii.hpp"
#include "scan/outcome_text.hpp"

namespace mratls::replay {
namespace {

bool shows(const scan::capture::OriginCapture& c, const scan::capture::Observation& seen, const SiteOrigin& o) {
  if (c.server.port != o.port) return false;
  if (o.host_is_ip) return seen.sni.empty() && c.server.address == o.host;
  return ascii::to_lower(seen.sni) == ascii::to_lower(o.host);
}

std::optional<CapturedTls> nearest(const SiteOrigin& o, const std::vector<scan::capture::OriginCapture>& captures) {
  const auto shown_ms = o.requests.empty() ? 0 : o.requests[o.shown].at_ms;
  const scan::capture::Observation* best = nullptr;
  std::int64_t best_gap = std::numeric_limits<std::int64_t>::max();
  for (const auto& c : captures)
    for (const auto& seen : c.seen) {
      if (!shows(c, seen, o)) continue;
      // A handshake with its chain says more than one without; then the nearest in time.
      const std::int64_t gap = std::llabs(seen.first_us / 1000 - shown_ms) + (seen.chain_seen ? 0 : std::int64_t{1} << 40);
      if (gap < best_gap) best = &seen, best_gap = gap;
    }
  if (!best) return std::nullopt;
  CapturedTls tls{best->preference, best->version, {}, best->first_us / 1000};
  for (const auto& cert : best->chain)
    if (cert.facts) tls.chain.push_back(*cert.facts);
  return tls;
}

std::string cn_of(const std::vector<verify::doctor::NameField>& name) {
  for (const auto& f : name)
    if (f.field == "CN") return f.value;
  return {};
}

verify::PresentedLeaf presented(const CapturedTls& tls) {
  const auto& f = tls.chain.front();
  return {f.first_cn.value_or(""), cn_of(f.issuer), f.key.type == "ECDSA", tls.tls13(), f.dns_sans, f.ip_sans,
          verify::doctor::iso_time(f.not_before), verify::doctor::iso_time(f.not_after)};
}

}  // namespace

void diagnose(SiteOrigin& o) {
  o.diagnosis = {};
  if (o.lines.empty()) return;
  auto outcome = scan::outcome_of(o.lines);
  if (!outcome) return;
  if (!o.captured) {
    o.diagnosis = verify::explain(*outcome);
  } else if (!o.captured->chain.empty()) {
    const auto leaf = presented(*o.captured);
    std::visit(
        [&](auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, verify::ChainRefused> || std::is_same_v<T, verify::NameNotInCertificate>) v.leaf = leaf;
        },
        *outcome);
    o.diagnosis = verify::explain(*outcome);
  } else {
    // The handshake seen without its certificate (TLS 1.3): its version is a fact all the same.
    verify::Facts facts{{*outcome}};
    facts.source = verify::Source::Capture;
    if (o.captured->tls13()) facts.tls13 = true;
    o.diagnosis = verify::diagnose(facts);
  }
}

void attach_captures(SiteModel& site, const std::vector<scan::capture::OriginCapture>& captures) {
  std::optional<verify::CertificatePreference> preference;
  for (auto& o : site.origins) {
    o.captured = nearest(o, captures);
    if (o.captured) diagnose(o);
    if (o.captured && !preference && o.captured->preference) preference = o.captured->preference;
  }
  if (preference) {
    site.settings.preference = *preference;
    site.settings.evidence.push_back("the captured ClientHello offers " +
                                     std::string(verify::to_string(*preference)) +
                                     " suites first: Expressway-C's cipher string is " + verify::label(*preference));
  }
}

}  // namespace mratls::replay
