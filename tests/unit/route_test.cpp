// The routing decision as a pure function: no sockets, just a head and a runtime's values.
#include <gtest/gtest.h>

#include "proxy/route.hpp"

using namespace mratls;
using namespace mratls::proxy;
using mratls::mra::encode_segment;

namespace {

const AllowList& rules() {
  static const AllowList list({AllowRule{"https", "cucm.steven.lab", 8443, "/cucm-uds/", config::MatchType::Prefix,
                                         {"GET"}, "Automatically generated rule for CUCM server"}});
  return list;
}

HttpHead head(std::string method, std::string target) {
  HttpHead h;
  h.method = std::move(method);
  h.target = std::move(target);
  return h;
}

const std::string seg = "/" + encode_segment({"steven.lab", "https", "cucm.steven.lab", 8443, false});

RouteDecision decide(const std::string& method, const std::string& target) {
  return route_request(head(method, target), "vcs_control.steven.lab", rules(), "127.0.0.1");
}

}  // namespace

TEST(Route, AnAllowedRequestGoesToItsOriginWithItsPathAndQuery) {
  auto d = decide("GET", seg + "/cucm-uds/user/emusk/devices?x=1");
  ASSERT_TRUE(d.route());
  EXPECT_EQ(d.route()->origin.host, "cucm.steven.lab");
  EXPECT_EQ(d.route()->origin_path, "/cucm-uds/user/emusk/devices?x=1");
  ASSERT_TRUE(d.access);
  EXPECT_TRUE(d.access->allowed);
  EXPECT_EQ(d.access->username, "emusk");
  EXPECT_EQ(d.access->rule_url, "https://cucm.steven.lab:8443/cucm-uds/");
}

TEST(Route, AbsoluteFormMustNameThisExpressway) {
  EXPECT_TRUE(decide("GET", "http://VCS_CONTROL.steven.lab:8443" + seg + "/cucm-uds/version").route());
  auto d = decide("GET", "http://evil.example.com" + seg + "/cucm-uds/version");
  ASSERT_TRUE(d.refusal());
  EXPECT_EQ(d.refusal()->response.status, 400);
  EXPECT_FALSE(d.access) << "no access line for a request that names another host";
}

TEST(Route, ADenialHasAnAccessLineAndNoWarning) {
  auto d = decide("GET", seg + "/ccmadmin/showHome.do");
  ASSERT_TRUE(d.refusal());
  EXPECT_EQ(d.refusal()->response.status, 403);
  EXPECT_TRUE(d.refusal()->warning.empty());
  ASSERT_TRUE(d.access);
  EXPECT_FALSE(d.access->allowed);
}

TEST(Route, PathParametersDoNotHideDotSegments) {
  for (const char* rest : {"/cucm-uds/..;/ccmadmin/x", "/cucm-uds/..;x=1/ccmadmin/", "/cucm-uds/.;/user/x", "/cucm-uds/..;"}) {
    auto d = decide("GET", seg + rest);
    ASSERT_TRUE(d.refusal()) << rest;
    EXPECT_EQ(d.refusal()->response.status, 400) << rest;
    EXPECT_EQ(d.refusal()->warning, "Refused path for cucm.steven.lab: dot-segment in path") << rest;
  }
  EXPECT_TRUE(decide("GET", seg + "/cucm-uds/user;jsessionid=1/x").route()) << "a parameter on a name is fine";
  EXPECT_TRUE(decide("GET", seg + "/cucm-uds/..x/y").route()) << "a name that starts with dots is fine";
}

TEST(Route, UnsupportedMethodsAreRefusedBeforeThePath) {
  auto d = decide("TRACE", seg + "/cucm-uds/version");
  ASSERT_TRUE(d.refusal());
  EXPECT_EQ(d.refusal()->response.status, 501);
}

TEST(Route, AnUpperCaseHostMatchesTheRule) {
  auto upper = "/" + encode_segment({"steven.lab", "https", "CUCM.Steven.Lab", 8443, false});
  auto d = decide("GET", upper + "/cucm-uds/version");
  ASSERT_TRUE(d.route());
  EXPECT_EQ(d.route()->origin.host, "CUCM.Steven.Lab") << "kept as written, for the lines";
}
