#include <gtest/gtest.h>

#include "proxy/allow_list.hpp"

using namespace mratls;
using namespace mratls::proxy;

namespace {
config::Config lab_config() {
  config::Config c;
  c.servers.push_back({config::ServerType::UnifiedCm, "cucm.steven.lab", true, {"cucm.steven.lab", "10.48.36.215"}});
  c.servers.push_back({config::ServerType::ImAndPresence, "imp.steven.lab", true, {"imp.steven.lab"}});
  c.servers.push_back({config::ServerType::UnityConnection, "cuc.steven.lab", true, {"cuc.steven.lab"}});
  c.allow_list.push_back({"https://extra.steven.lab:9443/api/", config::MatchType::Exact, {"POST"}});
  return c;
}
}  // namespace

TEST(AllowList, TheSeedRequestMatchesTheMostSpecificCucmRule) {
  auto list = *AllowList::from_config(lab_config());
  const auto* rule = list.match("GET", "https", "cucm.steven.lab", 8443, "/cucm-uds/user/emusk/devices");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->url(), "https://cucm.steven.lab:8443/cucm-uds/user/");
  EXPECT_EQ(rule->type, "Automatically generated rule for CUCM server");
  const auto* other = list.match("GET", "https", "cucm.steven.lab", 8443, "/cucm-uds/version");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->path, "/cucm-uds/");
}

TEST(AllowList, AdvertisedNodesGetRulesToo) {
  auto list = *AllowList::from_config(lab_config());
  EXPECT_NE(list.match("GET", "https", "10.48.36.215", 8443, "/cucm-uds/user/emusk"), nullptr);
  EXPECT_NE(list.match("GET", "https", "CUCM.steven.lab", 6972, "/CSFemusk.cnf.xml"), nullptr);
  EXPECT_NE(list.match("GET", "http", "cucm.steven.lab", 6970, "/SPDefault.cnf.xml"), nullptr);
}

TEST(AllowList, DeniesWhatNoRuleOpens) {
  auto list = *AllowList::from_config(lab_config());
  EXPECT_EQ(list.match("POST", "https", "cucm.steven.lab", 8443, "/cucm-uds/user/emusk"), nullptr);  // method
  EXPECT_EQ(list.match("GET", "https", "cucm.steven.lab", 8443, "/ccmadmin/"), nullptr);             // path
  EXPECT_EQ(list.match("GET", "https", "cucm.steven.lab", 9443, "/cucm-uds/"), nullptr);             // port
  EXPECT_EQ(list.match("GET", "http", "cucm.steven.lab", 8443, "/cucm-uds/"), nullptr);              // scheme
  EXPECT_EQ(list.match("GET", "https", "evil.example.com", 8443, "/cucm-uds/"), nullptr);            // host
  EXPECT_EQ(list.match("GET", "https", "imp.steven.lab", 8443, "/cucm-uds/"), nullptr);              // type
}

TEST(AllowList, ImpAndUnityRulesFollowTheTable) {
  auto list = *AllowList::from_config(lab_config());
  EXPECT_NE(list.match("POST", "https", "imp.steven.lab", 8443, "/EPASSoap/service/v105"), nullptr);
  EXPECT_NE(list.match("DELETE", "https", "cuc.steven.lab", 443, "/vmrest/messages/1"), nullptr);
  EXPECT_EQ(list.match("DELETE", "https", "imp.steven.lab", 8443, "/cup/x"), nullptr);
}

TEST(AllowList, ManualExactRuleMatchesOnlyItsPath) {
  auto list = *AllowList::from_config(lab_config());
  const auto* r = list.match("POST", "https", "extra.steven.lab", 9443, "/api/");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, "Manually configured rule");
  EXPECT_EQ(list.match("POST", "https", "extra.steven.lab", 9443, "/api/more"), nullptr);
}

TEST(AllowList, UsernameComesFromTheUserSegment) {
  EXPECT_EQ(username_from_path("/cucm-uds/user/emusk/devices"), "emusk");
  EXPECT_EQ(username_from_path("/cucm-uds/user/emusk"), "emusk");
  EXPECT_EQ(username_from_path("/cucm-uds/user/emusk?x=1"), "emusk");
  EXPECT_EQ(username_from_path("/CSFemusk.cnf.xml"), "");
}
