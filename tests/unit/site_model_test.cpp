// The site model a replay starts from (issue 22): what the transactions of a snapshot say of
// the site's origins, their types and outcomes, and the settings the lines imply.
#include <gtest/gtest.h>

#include "replay/site_model.hpp"

using namespace mratls;

namespace {

scan::TransactionRecord txn(std::string system, std::string host, int port, std::string path, int status,
                            std::vector<std::string> reasons = {}, std::string rule_type = "") {
  scan::TransactionRecord t;
  t.system = std::move(system);
  t.domain = "example.com";
  t.protocol = port == 6970 ? "http" : "https";
  t.host = std::move(host);
  t.port = port;
  t.host_is_ip = !t.host.empty() && std::isdigit(static_cast<unsigned char>(t.host.front()));
  t.method = "GET";
  t.path = std::move(path);
  t.status = status;
  t.rule_type = std::move(rule_type);
  t.reasons = std::move(reasons);
  return t;
}

const std::string kSelfSigned =
    "2026-11-30T10:00:00.000+01:00 expc traffic_server[1]: [ET_NET 0] WARNING: Core server certificate verification failed "
    "for (cucm.example.com). Action=Terminate Error=self signed certificate server=cucm.example.com(10.0.0.5) depth=0";
const std::string kLogOnly =
    "2026-11-30T10:00:00.000+01:00 expc traffic_server[1]: [ET_NET 0] WARNING: Core server certificate verification failed "
    "for (cucm.example.com). Action=Continue Error=self signed certificate server=cucm.example.com(10.0.0.5) depth=0";

}  // namespace

TEST(SiteModel, OriginsTypesOutcomesAndTheSettingFromTheLines) {
  const auto sites = replay::infer_sites({
      txn("expc", "cucm.example.com", 8443, "/cucm-uds/version", 200, {}, "Automatically generated rule for CUCM server"),
      txn("expc", "cucm.example.com", 6972, "/CSFuser.cnf.xml", 502, {kSelfSigned}, "Automatically generated rule for CUCM TFTP server"),
      txn("expc", "imp.example.com", 8443, "/EPASSoap/service/v105", 200),
      txn("expc", "cuc.example.com", 443, "/vmrest/version", 200),
  });
  ASSERT_EQ(sites.size(), 1u);
  const auto& s = sites[0];
  EXPECT_EQ(s.system, "expc");
  EXPECT_EQ(s.domains, (std::vector<std::string>{"example.com"}));
  ASSERT_EQ(s.origins.size(), 4u);
  EXPECT_EQ(s.origins[0].host, "cucm.example.com");
  EXPECT_FALSE(s.origins[0].failed);
  EXPECT_TRUE(s.origins[1].failed);
  EXPECT_EQ(s.origins[1].diagnosis.cause, verify::Cause::SelfSigned);
  EXPECT_EQ(s.origins[1].lines, (std::vector<std::string>{kSelfSigned}));
  EXPECT_EQ(s.origins[2].type, config::ServerType::ImAndPresence);
  EXPECT_EQ(s.origins[3].type, config::ServerType::UnityConnection);
  ASSERT_TRUE(s.settings.verify);
  EXPECT_EQ(*s.settings.verify, config::VerifyOriginServer::On);
  EXPECT_TRUE(s.settings.verifies_per_request);
}

TEST(SiteModel, LogOnlyAndTheUnknownAreSaidAsSuch) {
  auto log_only = replay::infer_sites({txn("expc", "cucm.example.com", 8443, "/cucm-uds/version", 200, {kLogOnly})});
  ASSERT_EQ(log_only.size(), 1u);
  EXPECT_EQ(log_only[0].settings.verify, config::VerifyOriginServer::LogOnly);
  // No verification line: below X14.2 or Off; the model does not pretend to know which.
  auto unknown = replay::infer_sites({txn("expc", "cucm.example.com", 8443, "/cucm-uds/version", 200)});
  EXPECT_FALSE(unknown[0].settings.verify.has_value());
  EXPECT_FALSE(unknown[0].settings.verifies_per_request);
  EXPECT_NE(unknown[0].settings.evidence.front().find("cannot tell which"), std::string::npos);
}

TEST(SiteModel, LinesOfSeveralSystemsAreGroupedBySystem) {
  const auto sites = replay::infer_sites({txn("expc1", "cucm.example.com", 8443, "/cucm-uds/version", 200),
                                          txn("expc2", "10.0.0.6", 8443, "/cucm-uds/version", 502),
                                          txn("expc1", "cucm.example.com", 8443, "/cucm-uds/user/u", 200)});
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].system, "expc1");
  EXPECT_EQ(sites[0].origins.size(), 1u);
  EXPECT_EQ(sites[0].origins[0].requests.size(), 2u);
  EXPECT_EQ(sites[1].system, "expc2");
  EXPECT_TRUE(sites[1].origins[0].host_is_ip);
  EXPECT_TRUE(sites[1].origins[0].failed);
  EXPECT_EQ(sites[1].origins[0].diagnosis.cause, verify::Cause::None) << "a 502 with no line says nothing of its cause";
}

// The request that stands for an origin: a failure over an earlier warning, a warning over a
// clean pass (log-only), the first of each kind.
TEST(SiteModel, TheShownRequestIsTheFirstFailureElseTheFirstWarning) {
  const auto sites = replay::infer_sites({
      txn("expc", "cucm.example.com", 8443, "/cucm-uds/version", 200),
      txn("expc", "cucm.example.com", 8443, "/cucm-uds/user/a", 200, {kLogOnly}),
      txn("expc", "cucm.example.com", 8443, "/cucm-uds/user/b", 502, {kSelfSigned}),
      txn("expc", "cucm.example.com", 8443, "/cucm-uds/user/c", 502, {"other"}),
      txn("expc", "cuc.example.com", 443, "/vmrest/version", 200, {kLogOnly}),
  });
  ASSERT_EQ(sites.size(), 1u);
  const auto& cucm = sites[0].origins[0];
  EXPECT_EQ(cucm.shown, 2u);
  EXPECT_EQ(cucm.status(), 502);
  EXPECT_TRUE(cucm.failed);
  EXPECT_EQ(cucm.lines, (std::vector<std::string>{kSelfSigned}));
  const auto& cuc = sites[0].origins[1];
  EXPECT_EQ(cuc.status(), 200);
  EXPECT_FALSE(cuc.failed);
  EXPECT_TRUE(cuc.troubled());
  EXPECT_EQ(cuc.domain, "example.com");
}

// An upgrade in the middle of a log: the same origin passes with no verification line before the
// first one, and passes again without one after the last (VerifyOriginServer set Off).
TEST(SiteModel, WhenVerificationStartsAndStopsIsSaid) {
  auto at = [](scan::TransactionRecord t, std::int64_t ms) {
    t.start_ms = ms;
    return t;
  };
  const auto sites = replay::infer_sites({
      at(txn("expc", "cucm.example.com", 6972, "/CSFa.cnf.xml", 200), 1764489600000),
      at(txn("expc", "cucm.example.com", 6972, "/CSFa.cnf.xml", 502, {kSelfSigned}), 1764493200000),
      at(txn("expc", "cucm.example.com", 6972, "/CSFa.cnf.xml", 200), 1764496800000),
      at(txn("expc", "imp.example.com", 8443, "/cup/x", 200), 1764400000000),
  });
  ASSERT_EQ(sites.size(), 1u);
  const auto& e = sites[0].settings.evidence;
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[1], "1 request(s) to the same origins passed without a verification line before 2025-11-30T09:00:00Z: a version "
                  "before X14.2 (or VerifyOriginServer Off) until then; the replay runs the setting the failures show");
  EXPECT_EQ(e[2], "1 request(s) to the same origins passed without a verification line after 2025-11-30T09:00:00Z: "
                  "VerifyOriginServer Off since then, or the certificates fixed");
}

// A node that refused connections (rebooting) before it refused its chain: the certificate
// failure stands for the origin, since it is what a fix must heal. Failed before: the connect
// failure did, and the self-signed certificate was never built.
TEST(SiteModel, ACertificateFailureStandsForTheOriginOverAnEarlierNetworkOne) {
  const std::string refused =
      "2026-11-30T10:00:00.000+01:00 expc traffic_server[1]: [ET_NET 0] WARNING: Connect to origin failed for "
      "'cucm.example.com': Connection refused server=cucm.example.com(10.0.0.5) port=6972";
  const auto sites = replay::infer_sites({
      txn("expc", "cucm.example.com", 6972, "/CSFa.cnf.xml", 502, {refused}),
      txn("expc", "cucm.example.com", 6972, "/CSFa.cnf.xml", 502, {kSelfSigned}),
  });
  const auto& o = sites[0].origins[0];
  EXPECT_EQ(o.shown, 1u);
  EXPECT_EQ(o.diagnosis.cause, verify::Cause::SelfSigned);
}
