// Every scenario of the catalogue through the real proxy against a real TLS origin on loopback:
// the status and the exact lines, under each VerifyOriginServer mode and cipher preference.
#include <gtest/gtest.h>

#include "lab/scenarios.hpp"
#include "scan/outcome_text.hpp"
#include "support.hpp"
#include "verify/cipher_preference.hpp"
#include "verify/fix_catalogue.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

constexpr const char* kVerifyFailed = "error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed";

enum class Mode { On, Off, LogOnly, OldVersion };
enum class Prefer { Ecdsa, Rsa };

struct Outcome {
  int status;
  std::vector<std::string> lines;  // every line between Sending Request and Sending Response
};

struct Run {
  Outcome outcome;
  std::vector<std::string> all;
  std::optional<verify::Outcome> recorded;  // what the proxy recorded for the request, as a value
};

Run run_scenario(const std::string& id, Mode mode, Prefer prefer) {
  auto origin_def = lab::scenario_origin(id);
  auto origin = lab::MockOrigin::start(std::move(origin_def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  const auto port = (*origin)->port();
  const auto& host = origin_def.connect_host;

  auto config = base_config(LabPki::get());
  config.allow_list.push_back({"https://" + host + ":" + std::to_string(port) + "/cucm-uds/", config::MatchType::Prefix, {"GET"}});
  if (mode == Mode::Off) config.expressway.verify_origin_server = config::VerifyOriginServer::Off;
  if (mode == Mode::LogOnly) config.expressway.verify_origin_server = config::VerifyOriginServer::LogOnly;
  if (mode == Mode::OldVersion) config.expressway.version = {14, 0, 7};
  if (prefer == Prefer::Rsa) config.expressway.ciphers = kRsaFirst;
  ProxyUnderTest proxy(config);

  Client client(proxy.port());
  auto response = client.exchange(get_request("/" + segment_for(host, port) + "/cucm-uds/user/emusk/devices"));
  EXPECT_TRUE(proxy.sink().wait_for("Detail=\"Sending Response\""));
  proxy.log()->flush();
  auto lines = proxy.masked_lines({port});
  Run run{{response.status, {}}, lines, proxy.in_process().outcomes().find("test-tracking-id")};
  bool inside = false;
  for (const auto& l : lines) {
    if (l.find("Detail=\"Sending Request\"") != std::string::npos) inside = true;
    else if (l.find("Detail=\"Sending Response\"") != std::string::npos) inside = false;
    else if (inside && l.find("Detail=\"Receive Response\"") == std::string::npos) run.outcome.lines.push_back(l);
  }
  return run;
}

std::string core(const std::string& name, const std::string& action, const std::string& error, const std::string& ip,
                 int depth) {
  return "[ET_NET 0] WARNING: Core server certificate verification failed for (" + name + "). Action=" + action +
         " Error=" + error + " server=" + name + "(" + ip + ") depth=" + std::to_string(depth);
}
std::string sni(const std::string& name, const std::string& action) {
  return "[ET_NET 0] WARNING: SNI (" + name + ") not in certificate. Action=" + action + " server=" + name + "(127.0.0.1)";
}
std::string ssl_failed(const std::string& name) { return "[ET_NET 0] ERROR: SSL connection failed for '" + name + "': " + kVerifyFailed; }

const std::string kFqdn = "cucm.steven.lab";
const std::string kIp = "127.0.0.1";

struct Expectation {
  std::string id;
  Prefer prefer;
  Outcome on;        // VerifyOriginServer On, X14.2
  Outcome log_only;  // always 200
  friend void PrintTo(const Expectation& e, std::ostream* os) { *os << e.id; }
};

std::vector<Expectation> expectations() {
  auto fqdn_core = [](const std::string& action, const std::string& e, int d) { return core(kFqdn, action, e, kIp, d); };
  return {
      {"ok-fqdn", Prefer::Ecdsa, {200, {}}, {200, {}}},
      {"self-signed", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "self signed certificate", 0), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "self signed certificate", 0)}}},
      {"unknown-ca", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "unable to get local issuer certificate", 1), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "unable to get local issuer certificate", 1)}}},
      {"ip-not-in-san", Prefer::Ecdsa, {502, {sni(kIp, "Terminate"), ssl_failed(kIp)}}, {200, {sni(kIp, "Continue")}}},
      {"ip-as-dns-san", Prefer::Ecdsa, {200, {}}, {200, {}}},
      {"ip-address-san", Prefer::Ecdsa, {502, {sni(kIp, "Terminate"), ssl_failed(kIp)}}, {200, {sni(kIp, "Continue")}}},
      {"cn-fallback", Prefer::Ecdsa, {200, {}}, {200, {}}},
      {"ecdsa-self-signed", Prefer::Ecdsa,
       {502, {core(kFqdn, "Terminate", "self signed certificate", kIp, 0), ssl_failed(kFqdn)}},
       {200, {core(kFqdn, "Continue", "self signed certificate", kIp, 0)}}},
      {"ecdsa-self-signed", Prefer::Rsa, {200, {}}, {200, {}}},
      {"ecdsa-self-signed-tls13", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "self signed certificate", 0), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "self signed certificate", 0)}}},
      {"ecdsa-self-signed-tls13", Prefer::Rsa,
       {502, {fqdn_core("Terminate", "self signed certificate", 0), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "self signed certificate", 0)}}},
      {"missing-intermediate", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "unable to get local issuer certificate", 0), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "unable to get local issuer certificate", 0),
              fqdn_core("Continue", "unable to verify the first certificate", 0)}}},
      {"expired", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "certificate has expired", 0), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "certificate has expired", 0)}}},
      {"untrusted-root-sent", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "self signed certificate in certificate chain", 1), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "self signed certificate in certificate chain", 1)}}},
      {"wrong-host", Prefer::Ecdsa, {502, {sni(kFqdn, "Terminate"), ssl_failed(kFqdn)}}, {200, {sni(kFqdn, "Continue")}}},
      // On the wire these read as missing-intermediate does; only the chain and the store differ.
      {"intermediate-left-out", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "unable to get local issuer certificate", 0), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "unable to get local issuer certificate", 0),
              fqdn_core("Continue", "unable to verify the first certificate", 0)}}},
      {"rekeyed-ca", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "unable to get local issuer certificate", 0), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "unable to get local issuer certificate", 0),
              fqdn_core("Continue", "unable to verify the first certificate", 0)}}},
      // Two findings: On stops at the first, log-only writes both, in the order the appliance meets them.
      {"expired-wrong-host", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "certificate has expired", 0), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "certificate has expired", 0), sni(kFqdn, "Continue")}}},
      {"self-signed-expired", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "self signed certificate", 0), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "self signed certificate", 0), fqdn_core("Continue", "certificate has expired", 0)}}},
      {"unknown-ca-wrong-host", Prefer::Ecdsa,
       {502, {fqdn_core("Terminate", "unable to get local issuer certificate", 1), ssl_failed(kFqdn)}},
       {200, {fqdn_core("Continue", "unable to get local issuer certificate", 1), sni(kFqdn, "Continue")}}},
  };
}

std::string name_of(const ::testing::TestParamInfo<Expectation>& info) {
  std::string n = info.param.id + (info.param.prefer == Prefer::Rsa ? "_rsa_first" : "_ecdsa_first");
  for (auto& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

std::string dump(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

}  // namespace

class Scenario : public ::testing::TestWithParam<Expectation> {};

TEST_P(Scenario, VerifyOriginServerOn) {
  const auto& e = GetParam();
  auto run = run_scenario(e.id, Mode::On, e.prefer);
  EXPECT_EQ(run.outcome.status, e.on.status) << dump(run.all);
  EXPECT_EQ(run.outcome.lines, e.on.lines) << dump(run.all);
}

// The proxy's typed outcome and what scan reads back from the lines it wrote agree.
TEST_P(Scenario, TheRecordedOutcomeIsWhatScanReadsFromTheLines) {
  const auto& e = GetParam();
  auto run = run_scenario(e.id, Mode::On, e.prefer);
  auto read_back = scan::outcome_of(run.outcome.lines);
  if (e.on.status == 200) {
    EXPECT_FALSE(run.recorded);
    EXPECT_FALSE(read_back);
    return;
  }
  ASSERT_TRUE(run.recorded) << dump(run.all);
  ASSERT_TRUE(read_back) << dump(run.all);
  // The proxy knows the chain; the lines do not, and may only say less (a CA the store lacks).
  EXPECT_TRUE(verify::lines_agree(verify::explain(*read_back).cause, verify::explain(*run.recorded).cause))
      << verify::to_string(verify::explain(*read_back).cause) << " vs " << verify::to_string(verify::explain(*run.recorded).cause)
      << dump(run.all);
  EXPECT_NE(verify::explain(*run.recorded).cause, verify::Cause::TlsFailure) << dump(run.all);
  EXPECT_EQ(run.recorded->index(), read_back->index());
}

TEST_P(Scenario, LogOnlyLogsAndLetsThrough) {
  const auto& e = GetParam();
  auto run = run_scenario(e.id, Mode::LogOnly, e.prefer);
  EXPECT_EQ(run.outcome.status, e.log_only.status) << dump(run.all);
  EXPECT_EQ(run.outcome.lines, e.log_only.lines) << dump(run.all);
}

TEST_P(Scenario, VerifyOriginServerOffPasses) {
  auto run = run_scenario(GetParam().id, Mode::Off, GetParam().prefer);
  EXPECT_EQ(run.outcome.status, 200) << dump(run.all);
  EXPECT_TRUE(run.outcome.lines.empty()) << dump(run.all);
}

TEST_P(Scenario, BeforeX142Passes) {
  auto run = run_scenario(GetParam().id, Mode::OldVersion, GetParam().prefer);
  EXPECT_EQ(run.outcome.status, 200) << dump(run.all);
  EXPECT_TRUE(run.outcome.lines.empty()) << dump(run.all);
}

INSTANTIATE_TEST_SUITE_P(Catalogue, Scenario, ::testing::ValuesIn(expectations()), name_of);

// The whole sequence for the seed's failing request, line for line.
TEST(ScenarioLines, SelfSignedSequenceMatchesTheAppliance) {
  auto run = run_scenario("self-signed", Mode::On, Prefer::Ecdsa);
  ASSERT_EQ(run.all.size(), 6u) << dump(run.all);
  EXPECT_TRUE(run.all[0].starts_with(
      "UTCTime=\"T\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Receive Request\" Txn-id=\"1\" "
      "TrackingID=\"test-tracking-id\" Src-ip=\"127.0.0.1\" Src-port=\"C\" Last-via-addr=\"\" Msg=\"GET /"))
      << run.all[0];
  EXPECT_NE(run.all[0].find("/cucm-uds/user/emusk/devices HTTP/1.1\""), std::string::npos);
  EXPECT_EQ(run.all[1],
            "Event=\"Request Allowed\" Detail=\"Access allowed\" Reason=\"In allow list\" Username=\"emusk\" Deployment=\"1\" "
            "Method=\"GET\" Request=\"https://cucm.steven.lab:PORT/cucm-uds/user/emusk/devices\" "
            "Rule=\"https://cucm.steven.lab:PORT/cucm-uds/\" Match=\"prefix\" Type=\"Manually configured rule\" UTCTime=\"T\"");
  EXPECT_EQ(run.all[2],
            "UTCTime=\"T\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Sending Request\" Txn-id=\"1\" "
            "TrackingID=\"test-tracking-id\" Dst-ip=\"127.0.0.1\" Dst-port=\"PORT\" Msg=\"GET /cucm-uds/user/emusk/devices HTTP/1.1\"");
  EXPECT_EQ(run.all[3], core(kFqdn, "Terminate", "self signed certificate", kIp, 0));
  EXPECT_EQ(run.all[4], ssl_failed(kFqdn));
  EXPECT_EQ(run.all[5],
            "UTCTime=\"T\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Sending Response\" Txn-id=\"1\" "
            "TrackingID=\"\" Dst-ip=\"127.0.0.1\" Dst-port=\"C\" Msg=\"HTTP/1.1 502 connect failed\"");
}

TEST(ScenarioLines, SuccessSequenceLogsTheTomcatStatusLine) {
  auto run = run_scenario("ok-fqdn", Mode::On, Prefer::Ecdsa);
  ASSERT_EQ(run.all.size(), 5u) << dump(run.all);
  EXPECT_EQ(run.all[3],
            "UTCTime=\"T\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Receive Response\" Txn-id=\"1\" "
            "TrackingID=\"\" Src-ip=\"127.0.0.1\" Src-port=\"PORT\" Msg=\"HTTP/1.1 200 \"");
  EXPECT_EQ(run.all[4],
            "UTCTime=\"T\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Sending Response\" Txn-id=\"1\" "
            "TrackingID=\"\" Dst-ip=\"127.0.0.1\" Dst-port=\"C\" Msg=\"HTTP/1.1 200 \"");
}

TEST(ScenarioOutcomes, ADenialAndANetworkFailureAreRecordedAsValues) {
  auto config = base_config(LabPki::get());
  config.allow_list.push_back({"https://cucm.steven.lab:1/cucm-uds/", config::MatchType::Prefix, {"GET"}});
  ProxyUnderTest proxy(config);
  Client client(proxy.port());
  auto denied = client.exchange(get_request("/" + segment_for("cucm.steven.lab", 1) + "/vmrest/x", "denied-1"));
  EXPECT_EQ(denied.status, 403);
  auto refused = client.exchange(get_request("/" + segment_for("cucm.steven.lab", 1) + "/cucm-uds/user/x", "refused-1"));
  EXPECT_EQ(refused.status, 502);
  auto d = proxy.in_process().outcomes().find("denied-1");
  ASSERT_TRUE(d);
  EXPECT_TRUE(std::holds_alternative<verify::Denied>(*d));
  auto n = proxy.in_process().outcomes().find("refused-1");
  ASSERT_TRUE(n);
  ASSERT_TRUE(std::holds_alternative<verify::NetworkFailure>(*n));
  EXPECT_EQ(std::get<verify::NetworkFailure>(*n).origin, "cucm.steven.lab:1");
}
