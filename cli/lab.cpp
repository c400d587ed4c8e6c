// mratls lab: the built-in lab. Mock CUCM, IM&P and Unity Connection nodes with the
// certificates that break MRA in the field, the real proxy in front, an MRA login through it
// for every cluster, and what X14.2 does to each, side by side with the switches that change it.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "lab/lab_report.hpp"
#include "lab/live_lab.hpp"
#include "lab/runner.hpp"
#include "lab/scenarios.hpp"
#include "proxy/key_log.hpp"
#include "proxy/signal_loop.hpp"
#include "logs/log.hpp"
#include "proxy/runtime.hpp"
#include "replay/anonymize.hpp"
#include "scan/outcome_text.hpp"
#include "replay/replay_report.hpp"
#include "replay/site_yaml.hpp"
#include "config/whole_file.hpp"
#include "replay/snapshot.hpp"

namespace mratls::cli {
namespace {

struct LabOptions {
  std::string scenario;
  std::string verify;  // on | off | log-only | "" (all)
  std::string prefer;  // ecdsa | rsa | "" (both)
  std::string ciphers;  // a cipher string of the site's own, or "" (the default, with the prefix for RSA)
  std::string out;
  std::string loopback;  // 127.X.Y.0/24, or "" to take a free block
  std::vector<std::string> from;  // a site's evidence to replay
  std::string site;               // or a site.yaml written by --from --out
  bool anonymize = false;
  bool json = false;
  bool list = false;
  bool keep_running = false;
  int port = 8443;
  int admin_port = -1;
};

// The settings the filters keep; under --ciphers, the string's own preference instead of both.
std::expected<std::vector<lab::Setting>, std::string> settings_of(const LabOptions& o) {
  auto settings = lab::settings_matrix(o.verify, o.ciphers.empty() ? o.prefer : "ecdsa");
  if (o.ciphers.empty()) return settings;
  for (auto& s : settings) {
    auto under = lab::with_ciphers(s, o.ciphers);
    if (!under) return std::unexpected("--ciphers '" + o.ciphers + "': " + under.error());
    s = std::move(*under);
  }
  return settings;
}

// Where the nodes listen, said first: a second lab, or the test suite, takes another block.
std::string loopback_line(const lab::StartedLab& started) {
  std::string line = "Nodes listen in " + started.placement.block.cidr() + " (--loopback 127.X.Y.0/24 pins a block)";
  if (started.placement.own_domains) line += "; each cluster has a domain of its own, <cluster>." + std::string(lab::kLabDomain);
  return line;
}

int keep_running(const LabOptions& o, const lab::LabDir& dir, const lab::StartedLab& started) {
  const auto& clusters = started.clusters;
  auto setting = lab::single_setting(o.verify, o.prefer);
  if (!o.ciphers.empty()) setting = *lab::with_ciphers(setting, o.ciphers);  // run_lab checked it
  auto kept = lab::KeptLab::start(dir, clusters, setting, static_cast<std::uint16_t>(o.port));
  proxy::SignalLoop signals({});  // before "The lab is up": Ctrl-C from then on drains
  std::unique_ptr<control::AdminListener> admin;
  if (o.admin_port >= 0) {
    config::Admin settings;
    settings.port = o.admin_port;
    auto opened = control::AdminListener::open(kept.server(), settings,
                                               [&](control::AdminListener& a) { lab::attach_lab(a, kept, clusters); });
    if (!opened) {
      std::cerr << "mratls lab: " << opened.error() << "\n";
      return kUsage;
    }
    admin = std::move(*opened);
  }
  std::cout << "\nThe lab is up (" << setting.label << "). Proxy: http://127.0.0.1:" << kept.server().port()
            << "  configuration: " << (dir.path() / "lab.yaml").string() << (dir.scratch() ? " (removed on exit)" : "") << "\n"
            << loopback_line(started) << "\n";
  if (admin)
    std::cout << "Open " << admin->url() << " to flip the switches and watch (or: mratls admin --to 127.0.0.1:" << admin->port()
              << " ...)\n";
  std::cout << "Reproduce by hand:\n";
  for (const auto& line : kept.reproduction_commands(clusters)) std::cout << "  " << line << "\n";
  if (admin)
    for (const auto& c : clusters)
      std::cout << "  [" << c->cluster().id << "] " << lab::login_command(*c, kept.server().port(), admin->port()) << "\n";
  std::cout << "The proxy's lines follow. Ctrl-C stops the lab.\n" << std::flush;
  signals.run(kept.server());
  kept.log()->flush();
  std::cout << "\nThe lab stopped.\n";
  return kOk;
}

// --out: site.yaml, the nodes' PKI and a configuration per site (a folder per system when the
// evidence holds several), as the replay built them for the reproduction.
std::expected<void, std::string> write_sites(const std::string& out, const replay::Snapshot& snapshot, const lab::LabDir& dir,
                                             const std::vector<std::unique_ptr<replay::SitePki>>& pkis) {
  for (std::size_t k = 0; k < snapshot.sites.size(); ++k) {
    const auto& site = snapshot.sites[k];
    const auto folder = snapshot.sites.size() == 1 ? std::filesystem::path(out) : std::filesystem::path(out) / site.system;
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) return std::unexpected(folder.string() + ": cannot create it: " + ec.message());
    if (auto written = config::write_whole_file(folder / "site.yaml", replay::site_yaml(site)); !written)
      return std::unexpected(written.error());
    const auto shapes = replay::shapes_of(site);
    auto live = replay::LiveSite::start(site, shapes, {}, *pkis[k], dir);
    if (!live) return std::unexpected(live.error());
    for (std::size_t i = 0; i < shapes.size(); ++i)
      if (shapes[i].build == replay::Build::NoPort)
        std::cerr << "mratls lab --out: " << site.origins[i].name() << " has no node in the copy: " << shapes[i].reason << "\n";
    if (auto wrote = (*live)->write(folder, site); !wrote) return std::unexpected(wrote.error());
  }
  return {};
}

// lab --from --keep-running: the reproduced site left up behind one listening proxy (and the
// live page), for a session with the customer, until Ctrl-C.
int keep_site_running(const LabOptions& o, const replay::SiteModel& site, replay::SitePki& pki, const lab::LabDir& dir) {
  const auto shapes = replay::shapes_of(site);
  auto live = replay::LiveSite::start(site, shapes, {}, pki, dir);
  if (!live) {
    std::cerr << "mratls lab --from: " << live.error() << "\n";
    return kUsage;
  }
  auto config = (*live)->proxy_config();
  config.listen.port = static_cast<std::uint16_t>(o.port);
  auto log = logs::Log::open(config.log, config.expressway.system_name);
  if (!log) {
    std::cerr << "mratls lab --from: " << log.error() << "\n";
    return kUsage;
  }
  auto outcomes = std::make_shared<proxy::OutcomeRecord>();
  auto rt = proxy::Runtime::build(config, *log, outcomes);
  if (!rt) {
    std::cerr << "mratls lab --from: " << rt.error() << "\n";
    return kUsage;
  }
  proxy::Server server(*rt);
  if (auto ok = server.listen(); !ok) {
    std::cerr << "mratls lab --from: " << ok.error() << "\n";
    return kUsage;
  }
  server.start();
  proxy::SignalLoop signals({});
  std::unique_ptr<control::AdminListener> admin;
  if (o.admin_port >= 0) {
    config::Admin settings;
    settings.port = o.admin_port;
    auto opened = control::AdminListener::open(server, settings);
    if (!opened) {
      std::cerr << "mratls lab --from: " << opened.error() << "\n";
      return kUsage;
    }
    admin = std::move(*opened);
  }
  const auto verify = config.expressway.verify_origin_server;
  std::cout << "\nThe reproduced site " << site.system << " is up (VerifyOriginServer " << config::to_string(verify)
            << "). Proxy: http://127.0.0.1:" << server.port() << "\nNodes listen in " << (*live)->block().cidr() << "\n";
  if (admin)
    std::cout << "Open " << admin->url() << " to flip the switches and watch (or: mratls admin --to 127.0.0.1:" << admin->port()
              << " ...)\n";
  std::cout << "Send each origin's request again:\n";
  for (std::size_t i = 0; i < site.origins.size(); ++i) {
    std::cout << "  [" << site.origins[i].name() << "] ";
    if (shapes[i].build == replay::Build::NoPort) std::cout << "not up: " << shapes[i].reason << "\n";
    else std::cout << (*live)->curl(site, i, server.port()) << "\n";
  }
  std::cout << "The proxy's lines follow. Ctrl-C stops the site.\n" << std::flush;
  signals.run(server);
  (*log)->flush();
  std::cout << "\nThe site stopped.\n";
  return kOk;
}

// lab --from: the site the evidence shows, rebuilt on loopback and replayed; exit 0 when every
// failing origin was reproduced, 1 when some were not.
int replay_site(const LabOptions& o) {
  for (const auto& [given, name] : {std::pair{!o.scenario.empty(), "--scenario"}, {!o.verify.empty(), "--verify"},
                                    {!o.prefer.empty(), "--prefer"}, {!o.ciphers.empty(), "--ciphers"}, {!o.loopback.empty(), "--loopback"},
                                    {o.list, "--list"}})
    if (given) {
      std::cerr << "mratls lab: " << name << " does not go with " << (o.site.empty() ? "--from" : "--site")
                << ": the replay takes its site and settings from the evidence\n";
      return kUsage;
    }
  if (!o.from.empty() && !o.site.empty()) {
    std::cerr << "mratls lab: --from or --site, not both\n";
    return kUsage;
  }
  if (o.admin_port >= 0 && !o.keep_running) {
    std::cerr << "mratls lab: --admin-port goes with --keep-running\n";
    return kUsage;
  }
  auto snapshot = o.site.empty() ? replay::read_snapshot(o.from) : [&]() -> std::expected<replay::Snapshot, std::string> {
    auto site = replay::load_site(o.site);
    if (!site) return std::unexpected(site.error());
    replay::Snapshot s;
    s.sites.push_back(std::move(*site));
    return s;
  }();
  if (!snapshot) {
    std::cerr << "mratls lab " << (o.site.empty() ? "--from" : "--site") << ": " << snapshot.error() << "\n";
    return kUsage;
  }
  if (o.anonymize) replay::anonymize(*snapshot, o.from);
  try {
    lab::LabDir dir("");
    std::vector<replay::SiteReplay> replays;
    // A site's CAs and copied chains are its own, and --out and --keep-running use the same ones.
    std::vector<std::unique_ptr<replay::SitePki>> pkis;
    for (const auto& site : snapshot->sites) {
      auto& pki = *pkis.emplace_back(std::make_unique<replay::SitePki>());
      if (!o.json)
        std::cerr << "mratls lab: replaying " << (site.system.empty() ? "the site" : site.system) << ": " << site.origins.size()
                  << " origins, then each fix\n";
      auto r = replay::replay_site(site, pki, dir);
      if (!r) {
        std::cerr << "mratls lab --from: " << (site.system.empty() ? "" : site.system + ": ") << r.error() << "\n";
        return kUsage;
      }
      replays.push_back(std::move(*r));
    }
    if (!o.out.empty())
      if (auto wrote = write_sites(o.out, *snapshot, dir, pkis); !wrote) {
        std::cerr << "mratls lab --out: " << wrote.error() << "\n";
        return kUsage;
      }
    if (o.json) std::cout << json_text(replay::replay_json(*snapshot, replays)) << "\n";
    else replay::print_replay(*snapshot, replays, std::cout);
    if (!o.out.empty() && !o.json)
      std::cout << "\nThe site model, its PKI and a configuration are in " << o.out << " (run it again: mratls lab --site "
                << (std::filesystem::path(o.out) / (snapshot->sites.size() == 1 ? "" : "<system>") / "site.yaml").string() << ")\n";
    if (o.keep_running) {
      if (snapshot->sites.size() != 1) {
        std::cerr << "mratls lab --from: --keep-running keeps one site up; the evidence holds " << snapshot->sites.size()
                  << " (give the lines of one Expressway-C system)\n";
        return kUsage;
      }
      return keep_site_running(o, snapshot->sites.front(), *pkis.front(), dir);
    }
    return replay::all_reproduced(replays) ? kOk : kFindings;
  } catch (const std::exception& e) {
    std::cerr << "mratls lab --from: " << e.what() << "\n";
    return kUsage;
  }
}

int run_lab(const LabOptions& o) {
  if (!o.from.empty() || !o.site.empty()) return replay_site(o);
  if (o.anonymize) {
    std::cerr << "mratls lab: --anonymize goes with --from\n";
    return kUsage;
  }
  if (o.list) {
    lab::print_catalogue(std::cout);
    return kOk;
  }
  if (o.admin_port >= 0 && !o.keep_running) {
    std::cerr << "mratls lab: --admin-port goes with --keep-running\n";
    return kUsage;
  }
  if (!o.scenario.empty()) {
    const auto ids = lab::lab_cluster_ids();
    if (std::find(ids.begin(), ids.end(), o.scenario) == ids.end()) {
      std::cerr << "mratls lab: unknown scenario '" << o.scenario << "' (mratls lab --list shows them)\n";
      return kUsage;
    }
  }
  if (auto settings = settings_of(o); !settings) {
    std::cerr << "mratls lab: " << settings.error() << "\n";
    return kUsage;
  }
  std::optional<lab::LoopbackBlock> pinned;
  if (!o.loopback.empty()) {
    auto block = lab::parse_loopback_block(o.loopback);
    if (!block) {
      std::cerr << "mratls lab: --loopback " << block.error() << "\n";
      return kUsage;
    }
    pinned = *block;
  }
  lab::Style style{!o.json && isatty(STDOUT_FILENO) != 0};
  if (const auto keylog = proxy::keylog_path(""); !keylog.empty())
    std::cerr << "mratls lab: " << proxy::keylog_warning(keylog) << "\n";
  try {
    lab::LabDir dir(o.out);
    auto started = lab::start_lab(o.scenario, pinned);
    if (!started) {
      std::cerr << "mratls lab: " << started.error() << "\n";
      return kUsage;
    }
    const auto& clusters = started->clusters;
    if (o.keep_running) return keep_running(o, dir, *started);
    nlohmann::json out;
    out["loopback"] = started->placement.block.cidr();
    if (!o.json) std::cout << loopback_line(*started) << "\n\n";
    if (o.scenario.empty()) {
      auto sequences = lab::seed_sequences(dir, started->placement.block);
      if (o.json) out["sequences"] = lab::sequences_json(sequences);
      else lab::print_sequences(sequences, style, std::cout);
    }
    const auto settings = *settings_of(o);  // checked before the lab started
    auto matrix = lab::run_matrix(dir, clusters, settings);
    if (!o.out.empty()) {
      auto config = lab::lab_config(dir);
      for (const auto& c : clusters) c->configure_proxy(config);
      dir.write_lab_files(clusters, config);
    }
    if (o.json) {
      out["matrix"] = lab::matrix_json(matrix, clusters, settings);
      std::cout << json_text(out) << "\n";
    } else {
      lab::print_matrix(matrix, clusters, settings, style, std::cout);
      if (!o.out.empty()) std::cout << "Lab files written to " << dir.path().string() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "mratls lab: " << e.what() << "\n";
    return kUsage;
  }
  return kOk;
}

}  // namespace

Action add_lab(CLI::App& app) {
  auto* cmd = app.add_subcommand("lab", "Run the built-in lab: mock CUCM/IM&P/Unity nodes, the proxy, an MRA login per cluster");
  auto o = std::make_shared<LabOptions>();
  cmd->add_option("--scenario", o->scenario, "Only this scenario (see --list)");
  cmd->add_option("--verify", o->verify, "Only this VerifyOriginServer mode")->check(CLI::IsMember({"on", "off", "log-only"}));
  auto* prefer = cmd->add_option("--prefer", o->prefer, "Only this cipher preference")->check(CLI::IsMember({"ecdsa", "rsa"}));
  cmd->add_option("--ciphers", o->ciphers,
                  "Run under this cipher string (a site's own, such as the default with ':+ECDSA', ':!ECDSA' or ':!aRSA'); "
                  "its preference is the one OpenSSL reads from it")
      ->excludes(prefer);
  cmd->add_option("--out", o->out,
                  "Write the PKI (PEM), the trust store and a ready lab.yaml to this folder (with --from: site.yaml, "
                  "the reproduced nodes' PKI and mratls.yaml)");
  cmd->add_flag("--keep-running", o->keep_running,
                "Leave the lab up behind one proxy (X14.2.0, VerifyOriginServer On, ECDSA-first unless --verify/--prefer) until Ctrl-C");
  cmd->add_option("--port", o->port, "The proxy's port with --keep-running")->check(CLI::Range(0, 65535))->capture_default_str();
  cmd->add_option("--admin-port", o->admin_port,
                  "With --keep-running: the admin page and API on this port (0: ephemeral), to flip switches live")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--loopback", o->loopback,
                  "The loopback block the nodes listen in, 127.X.Y.0/24 (default: the first free from 127.0.10.0/24)");
  cmd->add_option("--from", o->from,
                  "Reproduce a site from its evidence: diagnostic logs (text, .gz) or snapshot .tar.gz; rebuilds its "
                  "origins on loopback, replays its requests, shows which fix heals what")
      ->expected(1, -1);
  cmd->add_option("--site", o->site, "Replay a site model that --from --out wrote (site.yaml), on this machine");
  cmd->add_flag("--anonymize", o->anonymize,
               "With --from or --site: replace every domain, host, user, address and certificate name consistently before "
               "anything is shown, replayed or written");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->add_flag("--list", o->list, "Describe the scenarios and exit");
  return [o]() { return run_lab(*o); };
}

}  // namespace mratls::cli
