#include <gtest/gtest.h>

#include "mra/base64.hpp"
#include "mra/mra_path.hpp"

using namespace mratls::mra;

TEST(MraPath, DecodesTheSeedSegmentForCucm8443) {
  auto r = decode_segment("c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvODQ0Mw");
  ASSERT_TRUE(r.has_value()) << r.error().reason;
  ASSERT_EQ(r->kind, MraSegment::Kind::Origin);
  EXPECT_EQ(r->target.domain, "steven.lab");
  EXPECT_EQ(r->target.protocol, "https");
  EXPECT_EQ(r->target.host, "cucm.steven.lab");
  EXPECT_EQ(r->target.port, 8443);
  EXPECT_FALSE(r->target.host_is_ip);
}

TEST(MraPath, DecodesTheSeedSegmentWithAnIpAddress) {
  auto r = decode_segment("c3RldmVuLmxhYi9odHRwcy8xMC40OC4zNi4yMTUvODQ0Mw");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->target.host, "10.48.36.215");
  EXPECT_TRUE(r->target.host_is_ip);
}

TEST(MraPath, DecodesTftp6972) {
  auto r = decode_segment("c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->target.port, 6972);
}

TEST(MraPath, PaddingIsOptionalAndBothAlphabetsAreAccepted) {
  // 0xfb 0xff: '+' '/' in the standard alphabet, '-' '_' in the URL-safe one.
  EXPECT_EQ(base64_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_EQ(base64_decode("+/8"), std::string("\xfb\xff"));
  EXPECT_EQ(base64_decode("+/8="), std::string("\xfb\xff"));
  EXPECT_EQ(base64_decode("YQ"), std::string("a"));
  EXPECT_EQ(base64_decode("YQ=="), std::string("a"));
  EXPECT_EQ(base64_decode("YQ="), std::string("a"));
  EXPECT_FALSE(base64_decode("Y"));
  EXPECT_FALSE(base64_decode("YQ==="));
  EXPECT_FALSE(base64_decode("Y$Q"));
}

TEST(MraPath, EncodeIsTheInverseOfDecode) {
  MraTarget t{"steven.lab", "https", "cucm.steven.lab", 8443, false};
  EXPECT_EQ(encode_segment(t), "c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvODQ0Mw");
  auto back = decode_segment(encode_segment(t));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->target, t);
  EXPECT_EQ(*encode_text("steven.lab/https/cucm.steven.lab/6972"), "c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg");
}

TEST(MraPath, EdgeConfigSegmentNamesOnlyTheDomain) {
  auto r = decode_segment("ZW50LXBhLmNvbQ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, MraSegment::Kind::EdgeConfig);
  EXPECT_EQ(r->domain, "ent-pa.com");
}

struct BadSegment {
  std::string text;  // what the segment decodes from
  std::string reason_part;
  friend void PrintTo(const BadSegment& b, std::ostream* os) { *os << b.text; }
};

class MraPathRejects : public ::testing::TestWithParam<BadSegment> {};

TEST_P(MraPathRejects, WithAReasonNamingTheFault) {
  auto r = decode_segment(base64_encode_unpadded(GetParam().text));
  ASSERT_FALSE(r.has_value()) << GetParam().text;
  EXPECT_NE(r.error().reason.find(GetParam().reason_part), std::string::npos) << r.error().reason;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, MraPathRejects,
    ::testing::Values(BadSegment{"steven.lab/https/cucm.steven.lab/0", "port '0'"},
                      BadSegment{"steven.lab/https/cucm.steven.lab/70000", "port '70000'"},
                      BadSegment{"steven.lab/https/cucm.steven.lab/84x3", "port '84x3'"},
                      BadSegment{"steven.lab/https/cucm.steven.lab/", "port ''"},
                      BadSegment{"steven.lab/ftp/cucm.steven.lab/21", "protocol 'ftp'"},
                      BadSegment{"steven.lab/https/cucm.steven.lab", "3 fields"},
                      BadSegment{"steven.lab/https/cucm/steven.lab/8443", "5 fields"},
                      BadSegment{"steven.lab/https/cu$cm.lab/8443", "host 'cu$cm.lab'"},
                      BadSegment{"steven.lab/https/-cucm.lab/8443", "host '-cucm.lab'"},
                      BadSegment{"/https/cucm.lab/8443", "domain ''"},
                      BadSegment{"steven.lab/https/cucm.lab/8443\x01", "non-printable"}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(MraPath, RejectsNonBase64) {
  auto r = decode_segment("c3RldmVu!mxhYi9");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("is not base64"), std::string::npos);
}

TEST(MraPath, SplitsTheSegmentFromTheRest) {
  auto s = split_path("/c3RldmVu/cucm-uds/user/emusk/devices?max=100");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->segment, "c3RldmVu");
  EXPECT_EQ(s->rest, "/cucm-uds/user/emusk/devices?max=100");
  auto q = split_path("/ZW50LXBhLmNvbQ?x=1");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->segment, "ZW50LXBhLmNvbQ");
  EXPECT_EQ(q->rest, "?x=1");
  EXPECT_FALSE(split_path("*"));
}

TEST(MraPath, OriginUrlBracketsIpv6) {
  MraTarget t{"d.lab", "https", "fd00::5", 8443, true};
  EXPECT_EQ(t.origin_url("/x"), "https://[fd00::5]:8443/x");
}

TEST(MraPath, HostPortBracketsAnIpv6AddressOnce) {
  EXPECT_EQ(host_port("cucm.steven.lab", 8443), "cucm.steven.lab:8443");
  EXPECT_EQ(host_port("10.48.36.215", 6972), "10.48.36.215:6972");
  EXPECT_EQ(host_port("2001:db8::5", 8443), "[2001:db8::5]:8443");
  EXPECT_EQ(host_port("[::1]", 9090), "[::1]:9090");
  EXPECT_EQ(url_host("fe80::1"), "[fe80::1]");
  EXPECT_EQ(url_host("cucm"), "cucm");
}
