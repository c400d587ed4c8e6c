// mratls lab --from (issue 22): a site rebuilt from its own lines, its requests replayed through
// the real proxy against nodes built to fail as the site's did, side by side with the site's
// lines, and which of the catalogue's fixes heals which origin. The site logs are hand-written in
// the appliance's format, with names and domains that are not the lab's.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <regex>
#include <tuple>

#include <nlohmann/json.hpp>

#include "lab/loopback.hpp"
#include "replay/site_replay.hpp"
#include "replay/snapshot.hpp"
#include "loopback_capture.hpp"
#include "mra/mra_path.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;
namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string& name) { return fs::path(MRATLS_FIXTURES) / "replay" / name; }

fs::path replay_scratch(const std::string& name) {
  auto dir = LabPki::get().dir / "replay";
  fs::create_directories(dir);
  return dir / name;
}

struct Replayed {
  replay::Snapshot snapshot;
  std::vector<replay::SiteReplay> sites;
};

Replayed replay_files(const std::vector<fs::path>& files) {
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.string());
  auto snapshot = replay::read_snapshot(names);
  if (!snapshot) throw std::runtime_error(snapshot.error());
  Replayed out{std::move(*snapshot), {}};
  lab::LabDir dir("");
  for (const auto& site : out.snapshot.sites) {
    replay::SitePki pki;
    auto r = replay::replay_site(site, pki, dir);
    if (!r) throw std::runtime_error(r.error());
    out.sites.push_back(std::move(*r));
  }
  return out;
}

std::vector<std::string> comparable(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(replay::comparable(l));
  return out;
}

std::vector<std::string> heals(const replay::SiteReplay& r, std::size_t origin) {
  std::vector<std::string> out;
  for (auto f : r.origins[origin].heals_with) out.push_back(replay::to_string(r.fixes[f].kind));
  return out;
}

std::string replay_ssl_failed(const std::string& name) {
  return "ERROR: SSL connection failed for '" + name +
         "': error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed";
}

using Lines = std::vector<std::string>;

}  // namespace

// The README's worked example: an X14.2 site where a self-signed 6972, a subscriber advertised by
// IP, an IM&P node that sends its certificate without the intermediate, and an expired Unity
// Connection certificate break MRA; one CUCM service passes.
TEST(Replay, ASiteOfFourCausesIsReproducedAndEachFixHealsItsOwnOrigin) {
  const auto r = replay_files({fixture("northwind-x14.2-on.log")});
  ASSERT_EQ(r.sites.size(), 1u);
  const auto& s = r.sites[0];
  EXPECT_EQ(s.site.system, "expe-c1");
  EXPECT_EQ(s.site.domains, Lines{"uc.northwind.example"});
  EXPECT_EQ(s.site.settings.verify, config::VerifyOriginServer::On);
  ASSERT_EQ(s.site.origins.size(), 5u);
  EXPECT_EQ(s.run.requests, 7u);
  // The user of each request is the access line's Username=.
  ASSERT_FALSE(s.site.origins[0].requests.empty());
  EXPECT_EQ(s.site.origins[0].requests[0].user, "jdoe");

  const std::string pub = "cucm-pub.uc.northwind.example", imp = "imp1.uc.northwind.example", cuc = "cuc.uc.northwind.example";
  struct Row {
    std::string origin;
    config::ServerType type;
    int status;
    Lines lab_lines;
    replay::Build build;
    Lines heals;
  };
  const std::vector<Row> rows = {
      {pub + ":8443", config::ServerType::UnifiedCm, 200, {}, replay::Build::CaSigned, {}},
      {pub + ":6972", config::ServerType::UnifiedCm, 502,
       {"WARNING: Core server certificate verification failed for (" + pub +
            "). Action=Terminate Error=self signed certificate server=" + pub + "() depth=0",
        replay_ssl_failed(pub)},
       replay::Build::SelfSigned, {"trust-node-certificate", "verify-origin-server-off"}},
      {"10.20.30.12:8443", config::ServerType::UnifiedCm, 502,
       {"WARNING: SNI (10.20.30.12) not in certificate. Action=Terminate server=10.20.30.12()", replay_ssl_failed("10.20.30.12")},
       replay::Build::OtherName, {"advertise-fqdn", "verify-origin-server-off"}},
      {imp + ":8443", config::ServerType::ImAndPresence, 502,
       {"WARNING: Core server certificate verification failed for (" + imp +
            "). Action=Terminate Error=unable to get local issuer certificate server=" + imp + "() depth=0",
        replay_ssl_failed(imp)},
       replay::Build::UntrustedRoot, {"trust-ca", "verify-origin-server-off"}},
      {cuc + ":443", config::ServerType::UnityConnection, 502,
       {"WARNING: Core server certificate verification failed for (" + cuc +
            "). Action=Terminate Error=certificate has expired server=" + cuc + "() depth=0",
        replay_ssl_failed(cuc)},
       replay::Build::Expired, {"renew-certificate", "verify-origin-server-off"}},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(rows[i].origin);
    const auto& o = s.site.origins[i];
    EXPECT_EQ(o.name(), rows[i].origin);
    EXPECT_EQ(o.type, rows[i].type);
    EXPECT_EQ(o.status(), rows[i].status);
    EXPECT_EQ(s.origins[i].lab.status, rows[i].status);
    EXPECT_EQ(comparable(s.origins[i].lab.lines), rows[i].lab_lines);
    EXPECT_EQ(comparable(o.lines), rows[i].lab_lines);
    EXPECT_EQ(s.origins[i].shape.build, rows[i].build);
    EXPECT_TRUE(s.origins[i].comparison.reproduced) << s.origins[i].comparison.reason;
    EXPECT_EQ(heals(s, i), rows[i].heals);
  }
  EXPECT_EQ(s.troubled(), 4u);
  EXPECT_EQ(s.reproduced(), 4u);
  EXPECT_EQ(s.passing_reproduced(), 1u);
  // The shortest list: the four fixes, and not the workaround, which no origin needs.
  ASSERT_EQ(s.plan.fixes.size(), 4u);
  for (auto f : s.plan.fixes) EXPECT_FALSE(s.fixes[f].workaround);
  EXPECT_TRUE(s.plan.unhealed.empty());
  EXPECT_TRUE(s.plan_tried);
  EXPECT_TRUE(s.plan_leaves.empty());
}

// The seed log the appliance wrote (tests/fixtures): UDS on 8443 passes, TFTP on 6972 is
// self-signed, and the node by IP address is refused for its name.
TEST(Replay, TheSeedLogsThreeSequencesAreReproduced) {
  const auto r = replay_files({fs::path(MRATLS_FIXTURES) / "expressway-x14.2-mra-502.log"});
  ASSERT_EQ(r.sites.size(), 1u);
  const auto& s = r.sites[0];
  ASSERT_EQ(s.site.origins.size(), 3u);
  EXPECT_EQ(s.reproduced(), 2u);
  EXPECT_EQ(s.troubled(), 2u);
  EXPECT_EQ(s.passing_reproduced(), 1u);
  EXPECT_EQ(comparable(s.origins[2].lab.lines),
            (Lines{"WARNING: SNI (10.48.36.215) not in certificate. Action=Terminate server=10.48.36.215()",
                   replay_ssl_failed("10.48.36.215")}));
}

// Under log-only every request passes with its warning: the lab passes them with the same
// warnings, and a fix is one that silences the warning.
TEST(Replay, ALogOnlySiteIsReplayedUnderLogOnly) {
  const auto r = replay_files({fixture("fabrikam-log-only.log")});
  ASSERT_EQ(r.sites.size(), 1u);
  const auto& s = r.sites[0];
  EXPECT_EQ(s.site.settings.verify, config::VerifyOriginServer::LogOnly);
  ASSERT_EQ(s.site.origins.size(), 3u);
  const std::string n1 = "ucm1.collab.fabrikam.example", n2 = "ucm2.collab.fabrikam.example";
  EXPECT_EQ(s.origins[0].lab.status, 200);
  EXPECT_EQ(comparable(s.origins[0].lab.lines),
            Lines{"WARNING: Core server certificate verification failed for (" + n1 +
                  "). Action=Continue Error=self signed certificate server=" + n1 + "() depth=0"});
  EXPECT_EQ(s.origins[1].lab.status, 200);
  EXPECT_EQ(comparable(s.origins[1].lab.lines),
            Lines{"WARNING: SNI (" + n2 + ") not in certificate. Action=Continue server=" + n2 + "()"});
  EXPECT_EQ(s.site.origins[2].protocol, "http");
  EXPECT_EQ(s.origins[2].lab.status, 200);
  EXPECT_EQ(s.reproduced(), 2u);
  EXPECT_EQ(s.passing_reproduced(), 1u);
  EXPECT_EQ(heals(s, 0), (Lines{"trust-node-certificate", "verify-origin-server-off"}));
  EXPECT_EQ(heals(s, 1), (Lines{"add-name-to-certificate", "verify-origin-server-off"}));
}

// Two Expressway-C peers in one log: grouped by system name, each replayed as a site.
TEST(Replay, LinesOfTwoExpresswayCNodesAreTwoSites) {
  const auto r = replay_files({fixture("two-peers.log")});
  ASSERT_EQ(r.sites.size(), 2u);
  EXPECT_EQ(r.sites[0].site.system, "expc-a");
  EXPECT_EQ(r.sites[0].site.origins.size(), 2u);
  EXPECT_EQ(r.sites[0].reproduced(), 1u);
  EXPECT_EQ(r.sites[1].site.system, "expc-b");
  EXPECT_EQ(r.sites[1].site.origins.size(), 1u);
  EXPECT_EQ(r.sites[1].troubled(), 0u);
  EXPECT_EQ(r.sites[1].passing_reproduced(), 1u);
}

// The command: JSON for automation, exit 0 when every failing origin is reproduced.
TEST(Replay, TheCommandPrintsTheReplaySchemaAndExitsZeroWhenAllIsReproduced) {
  auto cli = spawn_mratls({"lab", "--from", fixture("northwind-x14.2-on.log").string(), "--json"});
  ASSERT_EQ(cli.wait_exit(std::chrono::seconds(60)), 0) << cli.output;
  const auto json = nlohmann::json::parse(cli.output.substr(cli.output.find('{')));
  EXPECT_EQ(json["schema"], "mratls.replay/1");
  EXPECT_EQ(json["summary"]["failing"], 4);
  EXPECT_EQ(json["summary"]["reproduced"], 4);
  EXPECT_EQ(json["summary"]["passing"], 1);
  ASSERT_EQ(json["origins"].size(), 5u);
  const auto& tftp = json["origins"][1];
  EXPECT_EQ(tftp["origin"], "cucm-pub.uc.northwind.example:6972");
  EXPECT_EQ(tftp["type"], "CUCM");
  EXPECT_EQ(tftp["site"]["status"], 502);
  EXPECT_EQ(tftp["lab"]["status"], 502);
  EXPECT_EQ(tftp["cause"], "self-signed");
  EXPECT_EQ(tftp["reproduced"], true);
  EXPECT_EQ(tftp["heals_with"], (nlohmann::json{"trust-node-certificate", "verify-origin-server-off"}));
  EXPECT_EQ(tftp["site"]["lines"].size(), 2u);
  EXPECT_EQ(tftp["lab"]["lines"].size(), 2u);
  ASSERT_EQ(json["fixes"].size(), 4u);
  EXPECT_EQ(json["fixes"][0]["kind"], "trust-node-certificate");
  EXPECT_EQ(json["fixes"][0]["heals"], (nlohmann::json{"cucm-pub.uc.northwind.example:6972"}));
}

// Run by a user who may not listen below 1024, the Unity node on 443 cannot be placed: that
// origin is said not reproduced, with the reason and what to do, and the other four are
// replayed and their fixes tried. Failed before: the whole replay stopped on the one port.
TEST(Replay, AnOriginOnAPortTheLabMayNotTakeIsSaidAndTheRestAreReplayed) {
  int unprivileged_start = 1024;
  std::ifstream("/proc/sys/net/ipv4/ip_unprivileged_port_start") >> unprivileged_start;
  if (unprivileged_start <= 443) GTEST_SKIP() << "every user may listen on 443 here";
  const bool root = geteuid() == 0;
  if (const auto refused = lab::first_busy({{"127.0.0.1", 443}}); !root && (!refused || refused->error != EACCES))
    GTEST_SKIP() << "this user may listen on 443";
  // A copy nobody may read, wherever the repository was cloned.
  const auto log = fs::temp_directory_path() / ("mratls-nobody-" + std::to_string(getpid()) + ".log");
  fs::copy_file(fixture("northwind-x14.2-on.log"), log, fs::copy_options::overwrite_existing);
  fs::permissions(log, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  const std::vector<std::string> args{"lab", "--from", log.string(), "--json"};
  auto cli = root ? spawn_mratls_as_nobody(args) : spawn_mratls(args);
  const int exit = cli.wait_exit(std::chrono::seconds(120));
  fs::remove(log);
  if (exit == 126 || exit == 127) GTEST_SKIP() << "the user nobody cannot run the build here: " << cli.output;
  ASSERT_EQ(exit, 1) << cli.output;
  const auto json = nlohmann::json::parse(cli.output.substr(cli.output.find('{')));
  EXPECT_EQ(json["summary"]["failing"], 4);
  EXPECT_EQ(json["summary"]["reproduced"], 3);
  ASSERT_EQ(json["origins"].size(), 5u);
  const auto& unity = json["origins"][4];
  EXPECT_EQ(unity["origin"], "cuc.uc.northwind.example:443");
  EXPECT_EQ(unity["built"], "no right to its port");
  EXPECT_EQ(unity["reproduced"], false);
  EXPECT_EQ(unity["not_reproduced_because"],
            "the lab may not listen on port 443 here (a privileged port needs root or CAP_NET_BIND_SERVICE; run as root to "
            "replay this origin)");
  EXPECT_TRUE(unity["heals_with"].empty());
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(json["origins"][i]["reproduced"], true) << json["origins"][i]["origin"];
  ASSERT_EQ(json["fixes"].size(), 3u);
}

TEST(Replay, AFailureTheLabCannotBuildIsSaidAndExitsOne) {
  std::ifstream in(fixture("two-peers.log"));
  std::string log, l;
  // Peer A's failing request, with its chain error changed to one the lab cannot build.
  while (std::getline(in, l)) {
    if (l.find("expc-a") == std::string::npos) continue;
    if (auto at = l.find("Error=self signed certificate"); at != std::string::npos)
      l.replace(at, 29, "Error=certificate signature failure");
    log += l + "\n";
  }
  const auto file = replay_scratch("unbuildable.log");
  std::ofstream(file) << log;
  auto cli = spawn_mratls({"lab", "--from", file.string()});
  EXPECT_EQ(cli.wait_exit(std::chrono::seconds(60)), 1) << cli.output;
  EXPECT_NE(cli.output.find("NOT reproduced: the lab builds no certificate that fails with 'certificate signature failure'"),
            std::string::npos)
      << cli.output;
  EXPECT_NE(cli.output.find("Reproduced 0 of 1 failing origins, 1 of 1 passing."), std::string::npos) << cli.output;
}

// Bad evidence gets a clear answer and exit 2, never a crash.
TEST(Replay, EvidenceWithoutMraLinesIsRefusedWithTheReason) {
  const auto other = replay_scratch("syslog.log");
  std::ofstream(other) << "2026-11-30T09:00:00.000+01:00 expc kernel: eth0: link up\n"
                          "2026-11-30T09:00:01.000+01:00 expc sshd[12]: Accepted publickey for admin\n";
  auto cli = spawn_mratls({"lab", "--from", other.string()});
  EXPECT_EQ(cli.wait_exit(), 2) << cli.output;
  EXPECT_NE(cli.output.find("mratls lab --from: no traffic_server line in the input (2 lines read)"), std::string::npos)
      << cli.output;

  auto missing = spawn_mratls({"lab", "--from", replay_scratch("no-such.log").string()});
  EXPECT_EQ(missing.wait_exit(), 2) << missing.output;
  EXPECT_NE(missing.output.find("no-such.log"), std::string::npos) << missing.output;

  auto with_scenario = spawn_mratls({"lab", "--from", fixture("two-peers.log").string(), "--scenario", "expired"});
  EXPECT_EQ(with_scenario.wait_exit(), 2) << with_scenario.output;
  EXPECT_NE(with_scenario.output.find("--scenario does not go with --from"), std::string::npos) << with_scenario.output;
}

TEST(Replay, ATruncatedSnapshotIsRefusedByName) {
  std::ifstream in(fixture("northwind-x14.2-on.log"));
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto tgz = replay_scratch("snapshot.tar.gz");
  write_archive(tgz, {{"loggingsnapshot/diagnostic_log.txt", log}}, true);
  const auto size = fs::file_size(tgz);
  const auto cut = replay_scratch("cut.tar.gz");
  {
    std::ifstream whole(tgz, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, size * 2 / 3);
  }
  auto cli = spawn_mratls({"lab", "--from", cut.string()});
  EXPECT_EQ(cli.wait_exit(std::chrono::seconds(60)), 2) << cli.output;
  EXPECT_NE(cli.output.find("mratls lab --from: " + cut.string() + ": truncated gzip input"), std::string::npos) << cli.output;
}

namespace {

// A site of our making, in another domain, captured on loopback as tcpdump would on the
// appliance: its proxy's lines in a log file, its handshakes in a pcap.
struct CapturedSite {
  fs::path log;
  fs::path pcap;
};

CapturedSite capture_site(const std::string& name, const std::vector<std::tuple<std::string, std::uint16_t, std::string>>& requests,
                          const std::vector<std::tuple<std::string, std::string, std::uint16_t, config::ServerType>>& nodes) {
  // A block nothing listens in, so that the site's nodes keep their real ports.
  lab::LoopbackBlock block;
  for (int b = 0; b < lab::kCandidateBlocks; ++b) {
    block = lab::candidate_block(b);
    std::vector<lab::ListenPoint> points;
    for (std::size_t i = 0; i < nodes.size(); ++i) points.push_back({block.address(50 + static_cast<int>(i)), std::get<2>(nodes[i])});
    if (!lab::first_busy(points)) break;
  }
  auto config = base_config(LabPki::get());
  config.expressway.system_name = "expc-contoso";
  std::vector<std::unique_ptr<lab::MockOrigin>> origins;
  std::map<std::string, std::string> addressed;  // a by-IP scenario's node is addressed by its IP
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& [scenario, fqdn, port, type] = nodes[i];
    const auto ip = block.address(50 + static_cast<int>(i));
    auto def = lab::scenario_origin(scenario, ip, fqdn);
    def.spec.address = ip;
    def.spec.port = port;
    auto origin = lab::MockOrigin::start(std::move(def.spec));
    if (!origin) throw std::runtime_error(origin.error());
    origins.push_back(std::move(*origin));
    addressed[fqdn] = def.connect_host;
    config.hosts[fqdn] = ip;
    config.servers.push_back({type, def.connect_host, true, {def.connect_host}});
  }
  CapturedSite site{replay_scratch(name + ".log"), replay_scratch(name + ".pcap")};
  // The site's own nodes only: another test may use other addresses of the block meanwhile.
  std::string filter;
  for (std::size_t i = 0; i < nodes.size(); ++i) filter += (i ? " or host " : "host ") + block.address(50 + static_cast<int>(i));
  auto capture = LoopbackCapture::start(site.pcap.string(), filter);
  if (!capture) throw std::runtime_error(capture.error());
  {
    ProxyUnderTest proxy(config);
    std::size_t n = 0;
    for (const auto& [fqdn, port, path] : requests) {
      Client client(proxy.port());
      const auto host = addressed.contains(fqdn) ? addressed.at(fqdn) : fqdn;
      client.exchange(get_request("/" + mra::encode_segment({"contoso.example", "https", host, port, mra::is_ip_literal(host)}) + path));
      proxy.in_process().wait_for_response(++n);
    }
    proxy.log()->flush();
    std::ofstream out(site.log);
    for (const auto& l : proxy.sink().lines()) out << l << "\n";
  }
  if (auto stopped = capture->get()->stop(); !stopped.empty()) throw std::runtime_error(stopped);
  return site;
}

}  // namespace

// The 6972 self-signed tomcat-ECDSA case with a capture: the replay copies the chain the node
// sent, and the what-if shows RSA-first healing it under TLS 1.2 and not under TLS 1.3, where
// the chain is not even seen; an IM&P node that leaves its intermediate out is healed by sending it.
TEST(Replay, ACaptureGivesTheChainAndTheWhatIfTellsTls12FromTls13) {
  const std::string pub = "ucm-pub.contoso.example", sub = "ucm-sub.contoso.example", imp = "imp.contoso.example";
  const auto site = capture_site("contoso", {{pub, 6972, "/CSFjsmith.cnf.xml"}, {sub, 6972, "/CSFjsmith.cnf.xml"}, {imp, 8443, "/cup/presence"}},
                                 {{"ecdsa-self-signed", pub, 6972, config::ServerType::UnifiedCm},
                                  {"ecdsa-self-signed-tls13", sub, 6972, config::ServerType::UnifiedCm},
                                  {"intermediate-left-out", imp, 8443, config::ServerType::ImAndPresence}});
  const auto r = replay_files({site.log, site.pcap});
  ASSERT_EQ(r.sites.size(), 1u);
  const auto& s = r.sites[0];
  EXPECT_EQ(r.snapshot.captures, 1u);
  EXPECT_EQ(s.site.settings.preference, verify::CertificatePreference::Ecdsa);
  ASSERT_EQ(s.site.origins.size(), 3u);

  // TLS 1.2: the ECDSA leaf, self-signed, as captured.
  const auto& p = s.site.origins[0];
  ASSERT_TRUE(p.captured);
  EXPECT_EQ(p.captured->version, "TLSv1.2");
  ASSERT_EQ(p.captured->chain.size(), 1u);
  EXPECT_EQ(p.captured->chain[0].key.type, "ECDSA");
  EXPECT_TRUE(p.captured->chain[0].self_signed);
  EXPECT_TRUE(s.origins[0].comparison.reproduced) << s.origins[0].comparison.reason;
  EXPECT_EQ(comparable(s.origins[0].lab.lines),
            (Lines{"WARNING: Core server certificate verification failed for (" + pub +
                       "). Action=Terminate Error=self signed certificate server=" + pub + "() depth=0",
                   replay_ssl_failed(pub)}));
  EXPECT_EQ(heals(s, 0), (Lines{"trust-node-certificate", "rsa-first", "verify-origin-server-off"}));

  // TLS 1.3: no chain seen; RSA-first is tried and heals nothing.
  const auto& t = s.site.origins[1];
  ASSERT_TRUE(t.captured);
  EXPECT_EQ(t.captured->version, "TLSv1.3");
  EXPECT_TRUE(t.captured->chain.empty());
  EXPECT_TRUE(s.origins[1].comparison.reproduced) << s.origins[1].comparison.reason;
  EXPECT_EQ(heals(s, 1), (Lines{"trust-node-certificate", "verify-origin-server-off"}));
  const auto rsa = std::ranges::find_if(s.fixes, [](const replay::SiteFix& f) { return f.kind == replay::FixKind::RsaFirst; });
  ASSERT_NE(rsa, s.fixes.end());
  EXPECT_EQ(rsa->origins, (std::vector<std::size_t>{0, 1}));
  EXPECT_NE(s.site.origins[1].diagnosis.fix.find("TLS 1.3"), std::string::npos) << s.site.origins[1].diagnosis.fix;

  // The IM&P node sends its root and leaves the intermediate out.
  const auto& i = s.site.origins[2];
  ASSERT_TRUE(i.captured);
  ASSERT_EQ(i.captured->chain.size(), 2u);
  EXPECT_TRUE(s.origins[2].comparison.reproduced) << s.origins[2].comparison.reason;
  EXPECT_EQ(heals(s, 2), (Lines{"send-intermediate", "trust-ca", "verify-origin-server-off"}));

  // The shortest list: one change per node, and not the workaround.
  EXPECT_EQ(s.plan.fixes.size(), 3u);
  for (auto f : s.plan.fixes) EXPECT_FALSE(s.fixes[f].workaround);
  EXPECT_TRUE(s.plan_leaves.empty());
}

// --anonymize: the same causes, reproduced the same way, and no original name anywhere in the
// output: not the domains, hosts, users, addresses, system, certificate names or file names.
TEST(Replay, AnonymizedTheCausesStayAndNoOriginalNameIsLeft) {
  const std::string pub = "ucm-pub.contoso.example", sub = "ucm-sub.contoso.example";
  const auto site = capture_site("contoso-private", {{pub, 6972, "/CSFjsmith.cnf.xml"}, {sub, 8443, "/cucm-uds/user/jsmith/devices"}},
                                 {{"ecdsa-self-signed", pub, 6972, config::ServerType::UnifiedCm},
                                  {"wrong-host", sub, 8443, config::ServerType::UnifiedCm}});
  const auto northwind = fixture("northwind-x14.2-on.log");
  // One after the other: three replays at once on two cores would only test the machine.
  auto plain = spawn_mratls({"lab", "--from", northwind.string(), site.log.string(), site.pcap.string(), "--json"});
  ASSERT_EQ(plain.wait_exit(std::chrono::seconds(120)), 0) << plain.output;
  auto anonymous = spawn_mratls({"lab", "--from", northwind.string(), site.log.string(), site.pcap.string(), "--json", "--anonymize"});
  ASSERT_EQ(anonymous.wait_exit(std::chrono::seconds(120)), 0) << anonymous.output;
  auto text = spawn_mratls({"lab", "--from", northwind.string(), site.log.string(), site.pcap.string(), "--anonymize"});
  ASSERT_EQ(text.wait_exit(std::chrono::seconds(120)), 0) << text.output;
  const auto a = nlohmann::json::parse(plain.output.substr(plain.output.find('{')));
  const auto b = nlohmann::json::parse(anonymous.output.substr(anonymous.output.find('{')));
  ASSERT_EQ(a["origins"].size(), b["origins"].size());
  for (std::size_t i = 0; i < a["origins"].size(); ++i) {
    SCOPED_TRACE(a["origins"][i]["origin"].get<std::string>());
    EXPECT_EQ(a["origins"][i]["cause"], b["origins"][i]["cause"]);
    EXPECT_EQ(a["origins"][i]["reproduced"], b["origins"][i]["reproduced"]);
    EXPECT_EQ(a["origins"][i]["heals_with"], b["origins"][i]["heals_with"]);
    EXPECT_EQ(a["origins"][i]["site"]["lines"].size(), b["origins"][i]["site"]["lines"].size());
    EXPECT_NE(a["origins"][i]["origin"], b["origins"][i]["origin"]);
  }
  EXPECT_EQ(a["summary"], b["summary"]);
  for (const auto* output : {&anonymous.output, &text.output})
    for (const std::string& original : std::vector<std::string>{"northwind", "cucm-pub", "imp1.", "cuc.uc", "jdoe", "10.20.30.", "expe-c1", "contoso",
                                       "ucm-pub", "ucm-sub", "jsmith", "expc-contoso", "Lab Root", "Lab Issuing", "private",
                                       site.log.string(), northwind.string()})
      EXPECT_EQ(output->find(original), std::string::npos) << original << " in\n" << *output;
}

// --keep-running: the reproduced site stays up behind a listening proxy, the live page beside it,
// and the printed command sends an origin's request again with the site's lines.
TEST(Replay, KeepRunningLeavesTheReproducedSiteUpUntilInterrupted) {
  auto lab = spawn_mratls({"lab", "--from", fixture("northwind-x14.2-on.log").string(), "--keep-running", "--port", "0",
                           "--admin-port", "0"});
  ASSERT_TRUE(lab.wait_for("Ctrl-C stops the site.", std::chrono::seconds(60))) << lab.output;
  std::smatch m;
  const std::regex command(R"(\[cucm-pub\.uc\.northwind\.example:6972\] curl [^\n]*'http://127\.0\.0\.1:(\d+)(/[^']+)')");
  ASSERT_TRUE(std::regex_search(lab.output, m, command)) << lab.output;
  EXPECT_NE(lab.output.find("The reproduced site expe-c1 is up (VerifyOriginServer On)"), std::string::npos) << lab.output;
  EXPECT_NE(lab.output.find("Open http://127.0.0.1:"), std::string::npos) << lab.output;
  Client client(static_cast<std::uint16_t>(std::stoi(m[1].str())));
  EXPECT_EQ(client.exchange(get_request(m[2].str())).status, 502);
  EXPECT_TRUE(lab.wait_for("WARNING: Core server certificate verification failed for (cucm-pub.uc.northwind.example). "
                           "Action=Terminate Error=self signed certificate"))
      << lab.output;
  kill(lab.pid, SIGINT);
  EXPECT_EQ(lab.wait_exit(), 0) << lab.output;
  EXPECT_NE(lab.output.find("The site stopped."), std::string::npos) << lab.output;
}

// --out writes the site model, its PKI and a configuration; --site runs it again with the same
// answers. Anonymized, no original name is in any file written.
TEST(Replay, OutWritesTheSiteAndSiteRunsItAgainWithoutTheOriginalNames) {
  const auto out = replay_scratch("northwind-out");
  fs::remove_all(out);
  auto first = spawn_mratls({"lab", "--from", fixture("northwind-x14.2-on.log").string(), "--anonymize", "--out", out.string(), "--json"});
  ASSERT_EQ(first.wait_exit(std::chrono::seconds(60)), 0) << first.output;
  for (const auto* f : {"site.yaml", "mratls.yaml", "pki/trust.pem", "pki/expressway.pem", "pki/node1.site1.example_6972.pem",
                        "pki/node1.site1.example_6972.key", "pki/192.0.2.2_8443.pem"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const std::string& original : std::vector<std::string>{"northwind", "cucm-pub", "imp1", "jdoe", "10.20.30.", "expe-c1"})
      EXPECT_EQ(text.find(original), std::string::npos) << original << " in " << entry.path();
  }
  auto again = spawn_mratls({"lab", "--site", (out / "site.yaml").string(), "--json"});
  ASSERT_EQ(again.wait_exit(std::chrono::seconds(60)), 0) << again.output;
  const auto a = nlohmann::json::parse(first.output.substr(first.output.find('{')));
  const auto b = nlohmann::json::parse(again.output.substr(again.output.find('{')));
  EXPECT_EQ(a["summary"], b["summary"]);
  ASSERT_EQ(a["origins"].size(), b["origins"].size());
  for (std::size_t i = 0; i < a["origins"].size(); ++i) {
    EXPECT_EQ(a["origins"][i]["origin"], b["origins"][i]["origin"]);
    EXPECT_EQ(a["origins"][i]["cause"], b["origins"][i]["cause"]);
    EXPECT_EQ(a["origins"][i]["heals_with"], b["origins"][i]["heals_with"]);
    EXPECT_EQ(a["origins"][i]["request"], b["origins"][i]["request"]);
  }
  EXPECT_EQ(a["origins"][0]["request"]["user"], "user1");
  EXPECT_EQ(a["fixes"], b["fixes"]);
  // The configuration written is one `mratls serve` reads.
  auto serve = spawn_mratls({"serve", "--config", (out / "mratls.yaml").string(), "--port", "0"});
  EXPECT_TRUE(serve.wait_for("mratls serve: listening on 127.0.0.1:")) << serve.output;
  kill(serve.pid, SIGTERM);
  EXPECT_EQ(serve.wait_exit(), 0) << serve.output;
}

TEST(Replay, ABrokenSiteFileIsNamedWithItsLineAndKey) {
  const auto file = replay_scratch("broken-site.yaml");
  std::ofstream(file) << "schema: mratls.site/1\nsystem: x\norigins:\n  - host: a.example\n    port: 99999\n    requests:\n"
                         "      - {path: /cucm-uds/version, status: 200}\n";
  auto cli = spawn_mratls({"lab", "--site", file.string()});
  EXPECT_EQ(cli.wait_exit(), 2) << cli.output;
  EXPECT_NE(cli.output.find("mratls lab --site: " + file.string() + ":5: origins[0].port: not a port: 99999"), std::string::npos)
      << cli.output;
  // A host that is no host name could not name a file in --out: refused. Failed before.
  std::ofstream(file) << "schema: mratls.site/1\norigins:\n  - host: ../../etc/x\n    port: 8443\n    requests:\n"
                         "      - {path: /cucm-uds/version, status: 200}\n";
  auto traversal = spawn_mratls({"lab", "--site", file.string()});
  EXPECT_EQ(traversal.wait_exit(), 2) << traversal.output;
  EXPECT_NE(traversal.output.find(":3: origins[0].host: not a host name or IP address: '../../etc/x'"), std::string::npos)
      << traversal.output;
  // A captured certificate's key usage is one OpenSSL can write again.
  std::ofstream(file) << "schema: mratls.site/1\norigins:\n  - host: a.example\n    port: 8443\n    requests:\n"
                         "      - {path: /cucm-uds/version, status: 200}\n    captured:\n      chain:\n"
                         "        - subject: [{CN: a.example}]\n          issuer: [{CN: a.example}]\n"
                         "          key: {type: RSA, bits: 2048}\n          not_before: 2026-01-01T00:00:00Z\n"
                         "          not_after: 2027-01-01T00:00:00Z\n          key_usage: [digitalSignature, signEverything]\n";
  auto usage = spawn_mratls({"lab", "--site", file.string()});
  EXPECT_EQ(usage.wait_exit(), 2) << usage.output;
  EXPECT_NE(usage.output.find(":14: origins[0].captured.chain[0].key_usage[1]: not a key usage OpenSSL names: 'signEverything'"),
            std::string::npos)
      << usage.output;
  std::ofstream(file) << "schema: mratls.scan/1\n";
  auto wrong = spawn_mratls({"lab", "--site", file.string()});
  EXPECT_EQ(wrong.wait_exit(), 2) << wrong.output;
  EXPECT_NE(wrong.output.find(":1: schema: expected mratls.site/1, not 'mratls.scan/1'"), std::string::npos) << wrong.output;
}

// A subscriber advertised by IP whose capture shows the FQDN its certificate names: advertising
// that FQDN heals it. Failed before: the lab advertised a name of its own making, which the
// copied certificate does not hold, and only the workaround was left.
TEST(Replay, ACapturedNodeAdvertisedByIpIsHealedByTheNameItsCertificateHolds) {
  const std::string sub = "ucm-sub.contoso.example";
  const auto site = capture_site("contoso-by-ip", {{sub, 8443, "/cucm-uds/version"}},
                                 {{"ip-not-in-san", sub, 8443, config::ServerType::UnifiedCm}});
  const auto r = replay_files({site.log, site.pcap});
  ASSERT_EQ(r.sites.size(), 1u);
  const auto& s = r.sites[0];
  ASSERT_EQ(s.site.origins.size(), 1u);
  EXPECT_TRUE(s.site.origins[0].host_is_ip);
  ASSERT_TRUE(s.site.origins[0].captured);
  EXPECT_TRUE(s.origins[0].comparison.reproduced) << s.origins[0].comparison.reason;
  EXPECT_EQ(heals(s, 0), (Lines{"advertise-fqdn", "verify-origin-server-off"}));
  EXPECT_EQ(replay::other_name(s.site.origins[0], "contoso.example"), sub);
  EXPECT_NE(s.site.origins[0].diagnosis.fix.find("(" + sub + ", which its certificate names)"), std::string::npos)
      << s.site.origins[0].diagnosis.fix;
}
