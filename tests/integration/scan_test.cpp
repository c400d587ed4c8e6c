// mratls scan: the fixture, DEBUG blocks, interleaved processes, compressed inputs, garbage,
// and the round trip from the proxy's own lines for every catalogue scenario.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "lab/scenarios.hpp"
#include "scan/log_reader.hpp"
#include "scan/scanner.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> fixture_lines() {
  std::ifstream in(std::string(MRATLS_FIXTURES) + "/expressway-x14.2-mra-502.log");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

fs::path scratch(const std::string& name) {
  auto dir = LabPki::get().dir / "scan";
  fs::create_directories(dir);
  return dir / name;
}

std::map<std::string, scan::OriginSummary> scan_files(const std::vector<fs::path>& files, scan::ScanStats* stats = nullptr) {
  scan::Scanner scanner;
  std::vector<std::string> names, skipped;
  for (const auto& f : files) names.push_back(f.string());
  auto r = scan::scan_files(names, scanner, skipped);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error());
  if (stats) *stats = scanner.stats();
  std::map<std::string, scan::OriginSummary> out;
  for (auto& o : scanner.origins()) out[o.host + ":" + std::to_string(o.port)] = o;
  return out;
}

void expect_fixture_result(const std::map<std::string, scan::OriginSummary>& origins) {
  ASSERT_EQ(origins.size(), 3u);
  const auto& healthy = origins.at("cucm.steven.lab:8443");
  EXPECT_EQ(healthy.ok, 1u);
  EXPECT_EQ(healthy.failed, 0u);
  const auto& tftp = origins.at("cucm.steven.lab:6972");
  EXPECT_EQ(tftp.failed, 1u);
  EXPECT_EQ(tftp.diagnosis.cause, verify::Cause::SelfSigned);
  // Passing on 8443 says nothing about the certificate on 6972: no ECDSA guess from the logs.
  EXPECT_TRUE(tftp.notes.empty()) << tftp.notes.front();
  const auto& by_ip = origins.at("10.48.36.215:8443");
  EXPECT_EQ(by_ip.failed, 1u);
  EXPECT_EQ(by_ip.diagnosis.cause, verify::Cause::IpNotInCertificate);
  EXPECT_EQ(by_ip.first_failure, "2022-07-11T19:49:01.472+02:00");
  ASSERT_EQ(by_ip.evidence.size(), 1u);
  EXPECT_EQ(by_ip.evidence[0].decoded, "steven.lab/https/10.48.36.215/8443 /cucm-uds/user/emusk/devices?max=100");
}

}  // namespace

TEST(Scan, FixtureGivesTwoFailingOriginsAndOneHealthy) {
  auto file = scratch("fixture.log");
  std::ofstream(file) << joined(fixture_lines());
  expect_fixture_result(scan_files({file}));
}

TEST(Scan, InterleavedProcessesAndForeignAndGarbledLines) {
  auto lines = fixture_lines();
  std::vector<std::string> a(lines.begin(), lines.begin() + 11), b(lines.begin() + 11, lines.end()), mixed;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < b.size()) mixed.push_back(b[i]);
    if (i < a.size()) mixed.push_back(a[i]);
    if (i == 2) mixed.push_back("2022-07-11T18:55:25.999+02:00 vcsc sshd[77]: Accepted publickey for root");
    if (i == 3) mixed.push_back("2022-07-11T18:55:2 vcsc traffic_server[18242]: UTCTime=\"2022-07-1");
  }
  auto file = scratch("interleaved.log");
  std::ofstream(file) << joined(mixed);
  scan::ScanStats stats;
  expect_fixture_result(scan_files({file}, &stats));
  EXPECT_EQ(stats.foreign_lines, 1u);
  EXPECT_EQ(stats.garbled_lines, 1u);
}

TEST(Scan, GzAndTarGzWithSeveralFiles) {
  auto lines = fixture_lines();
  auto gz = scratch("fixture.log.gz");
  write_archive(gz, {{"fixture.log", joined(lines)}}, false);
  expect_fixture_result(scan_files({gz}));

  auto tgz = scratch("snapshot.tar.gz");
  std::vector<std::string> first(lines.begin(), lines.begin() + 11), second(lines.begin() + 11, lines.end());
  write_archive(tgz, {{"logs/network.log.1", joined(second)}, {"logs/network.log", joined(first)}}, true);
  expect_fixture_result(scan_files({tgz}));
}

TEST(Scan, RotatedLogsGivenInAnyOrderJoinATransactionSplitAcrossThem) {
  auto lines = fixture_lines();
  // network.log.1 ends in the middle of transaction 191; network.log holds its end.
  std::vector<std::string> older(lines.begin(), lines.begin() + 8), newer(lines.begin() + 8, lines.end());
  auto tgz = scratch("rotated.tar.gz");
  write_archive(tgz, {{"network.log", joined(newer)}, {"network.log.1", joined(older)}}, true);
  scan::ScanStats stats;
  expect_fixture_result(scan_files({tgz}, &stats));
  EXPECT_EQ(stats.incomplete_transactions, 0u);
  auto a = scratch("network.log"), b = scratch("network.log.1");
  std::ofstream(a) << joined(newer);
  std::ofstream(b) << joined(older);
  expect_fixture_result(scan_files({a, b}));
}

TEST(Scan, SelfSignedThenPassingSuggestsACipherChange) {
  auto lines = fixture_lines();
  // The 6972 transaction fails at 18:55:26; the same request passes a minute later.
  std::vector<std::string> log(lines.begin() + 5, lines.begin() + 11);
  std::vector<std::string> later = {
      "2022-07-11T18:56:30.000+02:00 vcsc traffic_server[18242]: UTCTime=\"2022-07-11 16:56:30,000\" Module=\"network.http.trafficserver\" "
      "Level=\"INFO\": Detail=\"Receive Request\" Txn-id=\"300\" TrackingID=\"t\" Src-ip=\"127.0.0.1\" Src-port=\"1\" Last-via-addr=\"\" "
      "Msg=\"GET http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg/CSFemusk.cnf.xml HTTP/1.1\"",
      "2022-07-11T18:56:30.050+02:00 vcsc traffic_server[18242]: UTCTime=\"2022-07-11 16:56:30,050\" Module=\"network.http.trafficserver\" "
      "Level=\"INFO\": Detail=\"Sending Response\" Txn-id=\"300\" TrackingID=\"\" Dst-ip=\"127.0.0.1\" Dst-port=\"1\" Msg=\"HTTP/1.1 200 \""};
  log.insert(log.end(), later.begin(), later.end());
  auto file = scratch("cipher-change.log");
  std::ofstream(file) << joined(log);
  auto origins = scan_files({file});
  const auto& tftp = origins.at("cucm.steven.lab:6972");
  EXPECT_EQ(tftp.ok, 1u);
  EXPECT_EQ(tftp.failed, 1u);
  ASSERT_EQ(tftp.notes.size(), 1u);
  // What else changes a self-signed failure into a pass is named with it.
  EXPECT_NE(tftp.notes[0].find("the certificate trusted or re-signed, or the cipher string made RSA-first"), std::string::npos)
      << tftp.notes[0];
}

TEST(Scan, ClientCertificateRejectedByCucm) {
  auto lines = fixture_lines();
  std::vector<std::string> log(lines.begin() + 5, lines.begin() + 11);
  log[3] = "2022-07-11T18:55:26.016+02:00 vcsc traffic_server[18242]: [ET_NET 0] ERROR: SSL connection failed for "
           "'cucm.steven.lab': error:14094418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca";
  log.erase(log.begin() + 4);  // no WARNING: the handshake failed on CUCM's side
  auto file = scratch("unknown-ca-alert.log");
  std::ofstream(file) << joined(log);
  auto origins = scan_files({file});
  EXPECT_EQ(origins.at("cucm.steven.lab:6972").diagnosis.cause, verify::Cause::ClientCertRejected);

  // VerifyOriginServer Off would not help here, so the command does not offer it; it does for
  // the fixture's verification failures.
  auto cli = spawn_mratls({"scan", file.string()});
  EXPECT_EQ(cli.wait_exit(), 1);
  EXPECT_NE(cli.output.find("the node refused Expressway-C's client certificate"), std::string::npos) << cli.output;
  EXPECT_EQ(cli.output.find("Short-term workaround"), std::string::npos) << cli.output;
  auto fixture = scratch("fixture-workaround.log");
  std::ofstream(fixture) << joined(fixture_lines());
  auto verification = spawn_mratls({"scan", fixture.string()});
  EXPECT_EQ(verification.wait_exit(), 1);
  EXPECT_NE(verification.output.find("Short-term workaround, not a fix"), std::string::npos) << verification.output;
}

// What a replay of the site reads (issue 22): every request with its origin, domain, method,
// path, status, allow-list rule type and the lines that explain a failure, in response order.
TEST(Scan, EveryTransactionIsHandedOnWithWhatAReplayNeeds) {
  auto file = scratch("transactions.log");
  std::ofstream(file) << joined(fixture_lines());
  scan::Scanner scanner;
  std::vector<scan::TransactionRecord> seen;
  scanner.on_transaction([&](const scan::TransactionRecord& t) { seen.push_back(t); });
  std::vector<std::string> skipped;
  ASSERT_TRUE(scan::scan_files({file.string()}, scanner, skipped));
  ASSERT_EQ(seen.size(), 3u);
  const auto& uds = seen[0];
  EXPECT_EQ(uds.system, "vcsc");
  EXPECT_EQ(uds.pid, 18242);
  EXPECT_EQ(uds.txn_id, "189");
  EXPECT_EQ(uds.domain, "steven.lab");
  EXPECT_EQ(uds.protocol, "https");
  EXPECT_EQ(uds.host, "cucm.steven.lab");
  EXPECT_EQ(uds.port, 8443);
  EXPECT_EQ(uds.method, "GET");
  EXPECT_EQ(uds.path, "/cucm-uds/user/emusk/devices");
  EXPECT_EQ(uds.status, 200);
  EXPECT_EQ(uds.rule_type, "Automatically generated rule for CUCM server");
  EXPECT_TRUE(uds.reasons.empty());
  const auto& tftp = seen[1];
  EXPECT_EQ(tftp.port, 6972);
  EXPECT_EQ(tftp.status, 502);
  EXPECT_EQ(tftp.rule_type, "") << "no access line was logged for it";
  ASSERT_FALSE(tftp.reasons.empty());
  EXPECT_NE(tftp.reasons[0].find("Action=Terminate Error=self signed certificate"), std::string::npos) << tftp.reasons[0];
  EXPECT_TRUE(seen[2].host_is_ip);
  EXPECT_EQ(seen[2].host, "10.48.36.215");
  EXPECT_EQ(seen[2].pid, 3916);
  EXPECT_EQ(seen[2].status, 502);
}

TEST(Scan, RandomBytesAreUnreadable) {
  auto file = scratch("random.bin");
  std::mt19937 rng(7);
  std::string bytes(8192, '\0');
  for (auto& c : bytes) c = static_cast<char>(rng());
  std::ofstream(file, std::ios::binary) << bytes;
  auto r = scan::read_log_lines(file.string(), [](std::string_view, const std::string&) {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("random.bin"), std::string::npos) << r.error();
  auto cli = spawn_mratls({"scan", file.string()});
  EXPECT_EQ(cli.wait_exit(), 2);
  EXPECT_NE(cli.output.find("random.bin"), std::string::npos) << cli.output;
}

TEST(Scan, CommandExitCodesAndJson) {
  auto file = scratch("fixture-cli.log");
  std::ofstream(file) << joined(fixture_lines());
  auto cli = spawn_mratls({"scan", "--json", file.string()});
  EXPECT_EQ(cli.wait_exit(), 1);
  EXPECT_NE(cli.output.find("\"signature\": \"ip-not-in-certificate\""), std::string::npos) << cli.output;
  auto window = spawn_mratls({"scan", "--since", "2022-07-11T19:00:00+02:00", file.string()});
  EXPECT_EQ(window.wait_exit(), 1);
  EXPECT_EQ(window.output.find("cucm.steven.lab:6972"), std::string::npos) << "before --since";
  auto healthy = spawn_mratls({"scan", "--until", "2022-07-11T18:55:25.990+02:00", file.string()});
  EXPECT_EQ(healthy.wait_exit(), 0) << healthy.output;
  auto bad = spawn_mratls({"scan", "--since", "yesterday", file.string()});
  EXPECT_EQ(bad.wait_exit(), 2);
}

// The proxy's own lines for each scenario, scanned, give that scenario's signature.
class ScanRoundTrip : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(ScanRoundTrip, ProxyLinesGiveTheScenarioSignature) {
  const auto& [id, signature] = GetParam();
  for (auto level : {config::LogLevel::Info, config::LogLevel::Debug}) {
    auto def = lab::scenario_origin(id);
    auto origin = lab::MockOrigin::start(std::move(def.spec));
    ASSERT_TRUE(origin);
    auto port = (*origin)->port();
    auto config = base_config(LabPki::get());
    config.log.level = level;
    config.allow_list.push_back({"https://" + def.connect_host + ":" + std::to_string(port) + "/", config::MatchType::Prefix, {"GET"}});
    ProxyUnderTest proxy(config);
    Client client(proxy.port());
    client.exchange(get_request("/" + segment_for(def.connect_host, port) + "/cucm-uds/user/emusk"));
    EXPECT_TRUE(proxy.sink().wait_for("Detail=\"Sending Response\""));
    proxy.log()->flush();
    auto file = scratch(id + (level == config::LogLevel::Debug ? "-debug" : "") + ".log");
    std::ofstream(file) << joined(proxy.sink().lines());
    auto origins = scan_files({file});
    ASSERT_EQ(origins.size(), 1u);
    const auto& o = origins.begin()->second;
    EXPECT_EQ(o.requests, 1u);
    EXPECT_EQ(std::string(o.failed ? verify::to_string(o.diagnosis.cause) : "healthy"), signature)
        << id << (level == config::LogLevel::Debug ? " (debug)" : "");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Catalogue, ScanRoundTrip,
    ::testing::Values(std::pair{"ok-fqdn", "healthy"}, std::pair{"self-signed", "self-signed"},
                      std::pair{"unknown-ca", "untrusted-ca"}, std::pair{"ip-not-in-san", "ip-not-in-certificate"},
                      std::pair{"ip-as-dns-san", "healthy"}, std::pair{"ip-address-san", "ip-not-in-certificate"},
                      std::pair{"cn-fallback", "healthy"}, std::pair{"ecdsa-self-signed", "self-signed"},
                      std::pair{"ecdsa-self-signed-tls13", "self-signed"}, std::pair{"missing-intermediate", "untrusted-ca"},
                      std::pair{"expired", "expired"}, std::pair{"untrusted-root-sent", "untrusted-ca"},
                      std::pair{"wrong-host", "name-not-in-certificate"},
                      // The log line alone cannot tell these from any CA the store lacks.
                      std::pair{"intermediate-left-out", "untrusted-ca"}, std::pair{"rekeyed-ca", "untrusted-ca"}),
    [](const auto& info) {
      std::string n = info.param.first;
      for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });
