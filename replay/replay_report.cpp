#include "replay/replay_report.hpp"

#include "verify/fix_catalogue.hpp"

namespace mratls::replay {
namespace {

std::string setting_text(const InferredSettings& s) {
  if (!s.verify) return "VerifyOriginServer Off or a version before X14.2 (replayed as X14.2 with Off)";
  return std::string("VerifyOriginServer ") + config::to_string(*s.verify) + ", X14.2 or later";
}

std::string origin_label(const SiteOrigin& o) {
  return o.name() + "  " + config::to_string(o.type) + (o.host_is_ip ? ", advertised by IP" : "");
}

std::string fix_label(const SiteReplay& r, std::size_t f) {
  const auto& fix = r.fixes[f];
  return std::string(to_string(fix.kind)) + (fix.workaround ? " (workaround)" : "");
}

std::string origins_of(const SiteReplay& r, const std::set<std::size_t>& which) {
  std::string out;
  for (auto i : which) out += (out.empty() ? "" : ", ") + r.site.origins[i].name();
  return out;
}

std::set<std::size_t> healed_by(const SiteReplay& r, std::size_t f) {
  std::set<std::size_t> out;
  for (std::size_t i = 0; i < r.origins.size(); ++i)
    for (auto h : r.origins[i].heals_with)
      if (h == f) out.insert(i);
  return out;
}

void print_answer(const char* who, int status, const std::vector<std::string>& lines, std::ostream& out) {
  out << "  " << who << "  " << status;
  if (lines.empty()) out << "  (no WARNING/ERROR line)\n";
  for (std::size_t i = 0; i < lines.size(); ++i) out << (i ? "             " : "  ") << comparable(lines[i]) << "\n";
}

nlohmann::json fix_json(const SiteReplay& r, std::size_t f) {
  nlohmann::json origins = nlohmann::json::array();
  for (auto i : healed_by(r, f)) origins.push_back(r.site.origins[i].name());
  const auto& fix = r.fixes[f];
  return {{"system", r.site.system}, {"kind", to_string(fix.kind)}, {"text", fix.text}, {"workaround", fix.workaround},
          {"note", fix.note}, {"heals", origins}};
}

// The request that stands for the origin, the one whose answer both sides show.
nlohmann::json request_json(const SiteOrigin& o) {
  if (o.requests.empty()) return nullptr;
  const auto& r = o.requests[o.shown];
  return {{"method", r.method}, {"path", r.path}, {"user", r.user}};
}

}  // namespace

bool all_reproduced(const std::vector<SiteReplay>& replays) {
  for (const auto& r : replays)
    if (r.reproduced() != r.troubled()) return false;
  return true;
}

void print_replay(const Snapshot& snapshot, const std::vector<SiteReplay>& replays, std::ostream& out) {
  for (const auto& n : snapshot.notes) out << "note: " << n << "\n";
  if (replays.size() > 1)
    out << "The evidence holds the lines of " << replays.size() << " Expressway-C systems: each is replayed as a site of its own.\n";
  for (const auto& r : replays) {
    std::string domains;
    for (const auto& d : r.site.domains) domains += (domains.empty() ? "" : ", ") + d;
    out << "\nSite " << (r.site.system.empty() ? "(no system name)" : r.site.system) << " (MRA domain " << domains
        << "): " << setting_text(r.site.settings) << "\n";
    for (const auto& e : r.site.settings.evidence) out << "  from the lines: " << e << "\n";
    out << "  replayed " << r.run.requests << " requests through the proxy, nodes in " << r.run.block.cidr();
    if (r.run.requests_left_out) out << " (" << r.run.requests_left_out << " more left out: the first of each origin are enough)";
    out << "\n";
    for (std::size_t i = 0; i < r.origins.size(); ++i) {
      const auto& o = r.site.origins[i];
      const auto& rep = r.origins[i];
      out << "\n" << origin_label(o) << (o.troubled() ? "  " + std::string(verify::to_string(o.diagnosis.cause)) : "") << "\n";
      if (!o.requests.empty()) {
        const auto& shown = o.requests[o.shown];
        out << "  " << shown.method << " " << shown.path << (shown.user.empty() ? "" : "  (user " + shown.user + ")") << "\n";
      }
      print_answer("site", o.status(), o.lines, out);
      print_answer("lab ", rep.lab.status, rep.lab.lines, out);
      if (rep.comparison.reproduced) out << "  reproduced (the lab's node: " << to_string(rep.shape.build) << ")\n";
      else out << "  NOT reproduced: " << rep.comparison.reason << "\n";
      if (!rep.heals_with.empty()) {
        out << "  healed by:";
        for (std::size_t k = 0; k < rep.heals_with.size(); ++k) out << (k ? ", " : " ") << fix_label(r, rep.heals_with[k]);
        out << "\n";
      } else if (o.troubled() && rep.comparison.reproduced) {
        out << "  healed by: nothing the lab can change (" << to_string(rep.shape.build) << ")\n";
      }
    }
    // Under log-only nothing fails: the origins pass with the warnings On would refuse them for.
    const bool log_only = r.site.settings.verify == config::VerifyOriginServer::LogOnly;
    out << "\nReproduced " << r.reproduced() << " of " << r.troubled()
        << (log_only ? " origins with warnings (log-only passes them; On would refuse them), " : " failing origins, ")
        << r.passing_reproduced() << " of " << r.passing() << " passing.\n";
    if (r.plan.fixes.empty()) continue;
    out << "\nWhat heals it (tried in the lab, each alone, then together):\n";
    for (std::size_t k = 0; k < r.plan.fixes.size(); ++k) {
      const auto f = r.plan.fixes[k];
      out << "  " << k + 1 << ". " << r.fixes[f].text << "\n     heals " << origins_of(r, healed_by(r, f)) << "\n";
      if (!r.fixes[f].note.empty()) out << "     note: " << r.fixes[f].note << "\n";
    }
    if (!r.plan.unhealed.empty()) out << "  Nothing tried heals " << origins_of(r, r.plan.unhealed) << ".\n";
    if (!r.plan_leaves.empty()) {
      out << "  Applied together they still leave failing: ";
      for (std::size_t k = 0; k < r.plan_leaves.size(); ++k) out << (k ? ", " : "") << r.site.origins[r.plan_leaves[k]].name();
      out << "\n";
    } else if (r.plan_tried) {
      out << "  Applied together, they heal every origin they heal alone.\n";
    }
  }
}

nlohmann::json replay_json(const Snapshot& snapshot, const std::vector<SiteReplay>& replays) {
  nlohmann::json out{{"schema", "mratls.replay/1"}, {"notes", snapshot.notes}, {"skipped", snapshot.skipped}};
  out["sites"] = nlohmann::json::array();
  out["origins"] = nlohmann::json::array();
  out["fixes"] = nlohmann::json::array();
  out["tried"] = nlohmann::json::array();
  std::size_t failing = 0, reproduced = 0, passing = 0, passing_reproduced = 0;
  for (const auto& r : replays) {
    failing += r.troubled();
    reproduced += r.reproduced();
    passing += r.passing();
    passing_reproduced += r.passing_reproduced();
    out["sites"].push_back({{"system", r.site.system},
                            {"domains", r.site.domains},
                            {"verify_origin_server", r.site.settings.verify ? nlohmann::json(config::yaml_value(*r.site.settings.verify))
                                                                            : nlohmann::json(nullptr)},
                            {"evidence", r.site.settings.evidence},
                            {"loopback", r.run.block.cidr()},
                            {"requests_replayed", r.run.requests},
                            {"requests_left_out", r.run.requests_left_out}});
    for (std::size_t i = 0; i < r.origins.size(); ++i) {
      const auto& o = r.site.origins[i];
      const auto& rep = r.origins[i];
      nlohmann::json heals = nlohmann::json::array();
      for (auto f : rep.heals_with) heals.push_back(to_string(r.fixes[f].kind));
      out["origins"].push_back({{"system", r.site.system},
                                {"origin", o.name()},
                                {"host", o.host},
                                {"port", o.port},
                                {"type", config::to_string(o.type)},
                                {"advertised_by_ip", o.host_is_ip},
                                {"requests", o.requests.size()},
                                {"request", request_json(o)},
                                {"failing", o.troubled()},
                                {"site", {{"status", o.status()}, {"lines", o.lines}}},
                                {"lab", {{"status", rep.lab.status}, {"lines", rep.lab.lines}}},
                                {"cause", verify::to_string(o.diagnosis.cause)},
                                {"built", to_string(rep.shape.build)},
                                {"reproduced", rep.comparison.reproduced},
                                {"not_reproduced_because", rep.comparison.reason},
                                {"heals_with", heals}});
    }
    for (auto f : r.plan.fixes) out["fixes"].push_back(fix_json(r, f));
    for (std::size_t f = 0; f < r.fixes.size(); ++f) out["tried"].push_back(fix_json(r, f));
  }
  out["summary"] = {{"failing", failing}, {"reproduced", reproduced}, {"passing", passing},
                    {"passing_reproduced", passing_reproduced}};
  return out;
}

}  // namespace mratls::replay
