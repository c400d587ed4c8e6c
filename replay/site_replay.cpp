#include "replay/site_replay.hpp"

#include <cerrno>
#include <map>

#include "lab/loopback.hpp"
#include "scan/outcome_text.hpp"

namespace mratls::replay {
namespace {

std::vector<const SiteFix*> pointers(const std::vector<SiteFix>& fixes, const std::vector<std::size_t>& chosen) {
  std::vector<const SiteFix*> out;
  for (auto f : chosen) out.push_back(&fixes[f]);
  return out;
}

}  // namespace

std::vector<NodeShape> shapes_of(const SiteModel& site) {
  std::vector<NodeShape> shapes;
  std::map<int, bool> allowed;  // by port: whether this process may listen on it
  for (const auto& o : site.origins) {
    auto shape = o.troubled() ? shape_of(scan::outcome_of(o.lines)) : NodeShape{};
    const bool listens = shape.build != Build::NotListening && shape.build != Build::NotAllowed;
    // Which ports are privileged is the kernel's to say (ip_unprivileged_port_start): each port
    // is probed once, and only EACCES counts; a port in use on 127.0.0.1 is no matter here.
    bool may = true;
    if (listens) {
      auto [at, fresh] = allowed.try_emplace(o.port, true);
      if (fresh) {
        const auto refused = lab::first_busy({{"127.0.0.1", static_cast<std::uint16_t>(o.port)}});
        at->second = !refused || refused->error != EACCES;
      }
      may = at->second;
    }
    // One origin the lab cannot place is said as such; the others are still replayed.
    if (!may) {
      std::string reason = "the lab may not listen on port " + std::to_string(o.port) +
                           " here (a privileged port needs root or CAP_NET_BIND_SERVICE; run as root to replay this origin)";
      if (shape.build == Build::Unbuildable) reason = shape.reason + "; and " + reason;
      shape = {Build::NoPort, 0, false, std::move(reason)};
    }
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

bool passes(const LabAnswer& a) { return a.ran && a.status > 0 && a.status < 400 && a.lines.empty(); }

std::size_t SiteReplay::troubled() const {
  std::size_t n = 0;
  for (const auto& o : site.origins) n += o.troubled();
  return n;
}

std::size_t SiteReplay::reproduced() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < origins.size(); ++i) n += site.origins[i].troubled() && origins[i].comparison.reproduced;
  return n;
}

std::size_t SiteReplay::passing() const { return site.origins.size() - troubled(); }

std::size_t SiteReplay::passing_reproduced() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < origins.size(); ++i) n += !site.origins[i].troubled() && origins[i].comparison.reproduced;
  return n;
}

std::expected<SiteReplay, std::string> replay_site(const SiteModel& site, SitePki& pki, const lab::LabDir& dir,
                                                   const ReplayLimits& limits) {
  SiteReplay out;
  out.site = site;
  const auto shapes = shapes_of(site);
  auto run = run_site(site, shapes, {}, pki, dir, limits);
  if (!run) return std::unexpected(run.error());
  out.run = std::move(*run);
  std::set<std::size_t> reproduced;
  for (std::size_t i = 0; i < site.origins.size(); ++i) {
    const auto& o = site.origins[i];
    OriginReplay r{shapes[i], out.run.shown[i], {}, {}};
    if (shapes[i].build == Build::Unbuildable || shapes[i].build == Build::NoPort) r.comparison = {false, shapes[i].reason};
    else r.comparison = compare(o.status(), o.lines, r.lab.status, r.lab.lines);
    if (r.comparison.reproduced && o.troubled()) reproduced.insert(i);
    out.origins.push_back(std::move(r));
  }

  // What-if: only for causes the lab did reproduce; a fix tried on a failure that differs from
  // the site's would say nothing about the site.
  auto tried_shapes = shapes;
  for (std::size_t i = 0; i < tried_shapes.size(); ++i)
    if (!reproduced.count(i) && tried_shapes[i].build != Build::NoPort)
      tried_shapes[i] = {Build::Unbuildable, 0, false, "not reproduced"};
  pki.learn(site);
  std::vector<NodeFacts> facts;
  for (std::size_t i = 0; i < site.origins.size(); ++i) facts.push_back(facts_of(site.origins[i], i, shapes[i], pki));
  out.fixes = candidate_fixes(site, tried_shapes, facts);
  std::vector<std::set<std::size_t>> heals;
  for (std::size_t f = 0; f < out.fixes.size(); ++f) {
    auto changed = run_site(site, shapes, {&out.fixes[f]}, pki, dir, limits);
    if (!changed) return std::unexpected("trying '" + out.fixes[f].text + "': " + changed.error());
    std::set<std::size_t> healed;
    for (auto i : reproduced)
      if (passes(changed->shown[i])) {
        healed.insert(i);
        out.origins[i].heals_with.push_back(f);
      }
    heals.push_back(std::move(healed));
  }
  out.plan = shortest_healing(out.fixes, heals, reproduced);
  if (!out.plan.fixes.empty()) {
    auto together = run_site(site, shapes, pointers(out.fixes, out.plan.fixes), pki, dir, limits);
    if (!together) return std::unexpected("trying the fixes together: " + together.error());
    out.plan_tried = true;
    for (auto i : reproduced)
      if (!out.plan.unhealed.count(i) && !passes(together->shown[i])) out.plan_leaves.push_back(i);
  }
  return out;
}

}  // namespace mratls::replay
