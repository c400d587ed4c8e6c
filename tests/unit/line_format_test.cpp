// Field-for-field against the appliance's lines in the fixtures (tests/fixtures).
#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <fstream>
#include <vector>

#include "logs/line_format.hpp"

using namespace mratls;
using namespace std::chrono;
using logs::HttpDetail;

namespace {

std::vector<std::string> fixture_lines() {
  std::ifstream in(std::string(MRATLS_FIXTURES) + "/expressway-x14.2-mra-502.log");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

logs::TimePoint at(int h, int m, int s, int ms) {
  return sys_days{year{2022} / July / 11} + hours(h) + minutes(m) + seconds(s) + milliseconds(ms);
}

constexpr int kCest = 2 * 3600;

std::string prefixed(logs::TimePoint t, int pid, const std::string& body) {
  return logs::syslog_prefix(t, kCest, "vcsc", pid) + body;
}

}  // namespace

class FixtureLines : public ::testing::Test {
 protected:
  void SetUp() override {
    lines = fixture_lines();
    ASSERT_EQ(lines.size(), 16u) << "fixture not found at " << MRATLS_FIXTURES;
  }
  std::vector<std::string> lines;
};

TEST_F(FixtureLines, ReceiveRequest) {
  logs::HttpLine l{HttpDetail::ReceiveRequest, at(16, 55, 25, 910), "189", "6af9a674-9ebc-41ea-868e-90e7309a758c",
                   "127.0.0.1", 35764,
                   {"GET http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvODQ0Mw/cucm-uds/user/emusk/devices HTTP/1.1", {}}};
  EXPECT_EQ(prefixed(at(16, 55, 25, 910), 18242, logs::http_line(l, config::LogLevel::Info)), lines[0]);
}

TEST_F(FixtureLines, RequestAllowed) {
  logs::AccessLine a{true, at(16, 55, 25, 916), "emusk", "GET", "https://cucm.steven.lab:8443/cucm-uds/user/emusk/devices",
                     "https://cucm.steven.lab:8443/cucm-uds/user/", "prefix", "Automatically generated rule for CUCM server"};
  EXPECT_EQ(prefixed(at(16, 55, 25, 917), 18242, logs::access_line(a)), lines[1]);
}

TEST_F(FixtureLines, SendingRequestReceiveResponseSendingResponse) {
  logs::HttpLine send{HttpDetail::SendingRequest, at(16, 55, 25, 916), "189", "6af9a674-9ebc-41ea-868e-90e7309a758c",
                      "10.48.36.215", 8443, {"GET /cucm-uds/user/emusk/devices HTTP/1.1", {}}};
  EXPECT_EQ(prefixed(at(16, 55, 25, 917), 18242, logs::http_line(send, config::LogLevel::Info)), lines[2]);
  logs::HttpLine recv{HttpDetail::ReceiveResponse, at(16, 55, 25, 955), "189", "", "10.48.36.215", 8443, {"HTTP/1.1 200 ", {}}};
  EXPECT_EQ(prefixed(at(16, 55, 25, 955), 18242, logs::http_line(recv, config::LogLevel::Info)), lines[3]);
  logs::HttpLine resp{HttpDetail::SendingResponse, at(16, 55, 25, 955), "189", "", "127.0.0.1", 35764, {"HTTP/1.1 200 ", {}}};
  EXPECT_EQ(prefixed(at(16, 55, 25, 956), 18242, logs::http_line(resp, config::LogLevel::Info)), lines[4]);
  logs::HttpLine failed{HttpDetail::SendingResponse, at(16, 55, 26, 24), "191", "", "127.0.0.1", 35766, {"HTTP/1.1 502 connect failed", {}}};
  EXPECT_EQ(prefixed(at(16, 55, 26, 24), 18242, logs::http_line(failed, config::LogLevel::Info)), lines[10]);
}

TEST_F(FixtureLines, SelfSignedWarningAndError) {
  verify::OriginIdentity origin{"cucm.steven.lab", "cucm.steven.lab", "10.48.36.215"};
  verify::Finding f{verify::Finding::Kind::Chain, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0};
  auto t = at(16, 55, 26, 16);
  EXPECT_EQ(prefixed(t, 18242, logs::verification_line(0, f, origin, verify::Enforcement::Enforce, config::OpenSslText::Expressway)),
            lines[8]);
  EXPECT_EQ(prefixed(t, 18242, logs::ssl_failed_line(0, "cucm.steven.lab",
                                                     "error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed")),
            lines[9]);
}

TEST_F(FixtureLines, SniNotInCertificate) {
  verify::OriginIdentity origin{"10.48.36.215", "10.48.36.215", "10.48.36.215"};
  verify::Finding f{verify::Finding::Kind::Name, 0, 0};
  auto t = at(17, 49, 1, 491);
  EXPECT_EQ(prefixed(t, 3916, logs::verification_line(2, f, origin, verify::Enforcement::Enforce, config::OpenSslText::Expressway)),
            lines[13]);
}

TEST(LineFormat, LogOnlyModeSaysContinue) {
  verify::OriginIdentity origin{"cucm.lab", "cucm.lab", "127.0.0.1"};
  auto line = logs::verification_line(1, {verify::Finding::Kind::Chain, X509_V_ERR_CERT_HAS_EXPIRED, 0}, origin,
                                      verify::Enforcement::LogOnly, config::OpenSslText::Expressway);
  EXPECT_EQ(line,
            "[ET_NET 1] WARNING: Core server certificate verification failed for (cucm.lab). Action=Continue "
            "Error=certificate has expired server=cucm.lab(127.0.0.1) depth=0");
}

// As the TAC note on CUCM certificate renewal (225746) prints a DEBUG Sending Request.
TEST(LineFormat, DebugLevelCarriesTheWholeMessage) {
  const logs::Headers headers{{"Host", "cucm:8443"}, {"Accept", "*/*"}};
  logs::HttpLine l{HttpDetail::SendingRequest, at(16, 55, 25, 916), "7", "t", "10.0.0.1", 8443, {"GET /x HTTP/1.1", &headers}};
  EXPECT_EQ(logs::http_line(l, config::LogLevel::Debug),
            "UTCTime=\"2022-07-11 16:55:25,916\" Module=\"network.http.trafficserver\" Level=\"DEBUG\": Detail=\"Sending Request\" "
            "Txn-id=\"7\" TrackingID=\"t\" Dst-ip=\"10.0.0.1\" Dst-port=\"8443\" \nHTTPMSG:\n|GET /x HTTP/1.1\n Host: cucm:8443\n Accept: */*\n \n |");
}

TEST(LineFormat, QuotesInValuesCannotEndAField) {
  logs::HttpLine l{HttpDetail::ReceiveRequest, at(0, 0, 0, 0), "1", "a\"b", "127.0.0.1", 1, {"GET /\" HTTP/1.1", {}}};
  auto line = logs::http_line(l, config::LogLevel::Info);
  EXPECT_NE(line.find(R"(TrackingID="a\"b")"), std::string::npos);
  EXPECT_NE(line.find(R"(Msg="GET /\" HTTP/1.1")"), std::string::npos);
}

TEST(LineFormat, NegativeOffsetsAndMidnight) {
  auto t = sys_days{year{2023} / January / 1} + milliseconds(5);
  EXPECT_EQ(logs::syslog_prefix(t, -5 * 3600, "exp", 1), "2022-12-31T19:00:00.005-05:00 exp traffic_server[1]: ");
  EXPECT_EQ(logs::utc_time(t), "2023-01-01 00:00:00,005");
}

TEST(LineFormat, ControlBytesAreEscapedAndOtherBytesKept) {
  logs::HttpLine l{HttpDetail::ReceiveRequest, at(0, 0, 0, 0), "1", "a\x01\x1f\x7f" "b\xc3\xa9", "127.0.0.1", 1,
                   {"GET /\r\n HTTP/1.1", {}}};
  auto line = logs::http_line(l, config::LogLevel::Info);
  EXPECT_NE(line.find(R"(TrackingID="a\x01\x1f\x7fb)" "\xc3\xa9\""), std::string::npos) << line;
  EXPECT_NE(line.find(R"(Msg="GET /\x0d\x0a HTTP/1.1")"), std::string::npos) << line;
}

TEST(LineFormat, DeniedRequestLine) {
  logs::AccessLine a{false, at(16, 55, 26, 3), "", "GET", "https://evil.example:8443/\"x", "", "", ""};
  EXPECT_EQ(logs::access_line(a),
            R"(Event="Request Denied" Detail="Access denied" Reason="Not in allow list" Username="" Deployment="1" )"
            R"(Method="GET" Request="https://evil.example:8443/\"x" UTCTime="2022-07-11 16:55:26,003")");
}

TEST(LineFormat, TheTimeCachedPerSecondFollowsTheClockBothWays) {
  for (auto t : {at(16, 55, 25, 999), at(16, 55, 26, 0), at(16, 55, 25, 1), at(23, 59, 59, 999)})
    EXPECT_EQ(logs::utc_time(t), logs::utc_time(t + hours(24)).replace(8, 2, "11"));
  EXPECT_EQ(logs::utc_time(at(16, 55, 26, 0)), "2022-07-11 16:55:26,000");
  EXPECT_EQ(logs::utc_time(at(16, 55, 25, 1)), "2022-07-11 16:55:25,001");
}
