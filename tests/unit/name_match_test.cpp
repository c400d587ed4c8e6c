#include <gtest/gtest.h>

#include "lab/pki.hpp"
#include "verify/certificate_names.hpp"
#include "verify/name_match.hpp"

using namespace mratls::verify;

TEST(NameMatch, ExactNamesCompareCaseInsensitively) {
  EXPECT_TRUE(pattern_matches("cucm.steven.lab", "CUCM.Steven.LAB"));
  EXPECT_FALSE(pattern_matches("cucm.steven.lab", "cucm2.steven.lab"));
}

TEST(NameMatch, AnIpIsComparedAsText) {
  EXPECT_TRUE(pattern_matches("10.48.36.215", "10.48.36.215"));
  EXPECT_FALSE(pattern_matches("10.48.36.21", "10.48.36.215"));
}

TEST(NameMatch, WildcardCoversExactlyOneLabel) {
  EXPECT_TRUE(pattern_matches("*.steven.lab", "cucm.steven.lab"));
  EXPECT_FALSE(pattern_matches("*.steven.lab", "a.cucm.steven.lab"));
  EXPECT_FALSE(pattern_matches("*.steven.lab", "steven.lab"));
  EXPECT_FALSE(pattern_matches("*.steven.lab", ".steven.lab"));
}

TEST(NameMatch, PartialWildcardAtStartOrEndOfTheFirstLabel) {
  EXPECT_TRUE(pattern_matches("cucm*.steven.lab", "cucm01.steven.lab"));
  EXPECT_TRUE(pattern_matches("*01.steven.lab", "cucm01.steven.lab"));
  EXPECT_FALSE(pattern_matches("cucm*.steven.lab", "imp01.steven.lab"));
  // In the middle of the label it is no wildcard, only a literal '*'.
  EXPECT_FALSE(pattern_matches("cu*01.steven.lab", "cucm01.steven.lab"));
  EXPECT_TRUE(pattern_matches("cu*01.steven.lab", "cu*01.steven.lab"));
}

TEST(NameMatch, WildcardOutsideTheFirstLabelIsLiteral) {
  EXPECT_FALSE(pattern_matches("cucm.*.lab", "cucm.steven.lab"));
}

TEST(NameMatch, PatternNeedsTwoDots) {
  EXPECT_FALSE(pattern_matches("*.lab", "steven.lab"));
  EXPECT_TRUE(pattern_matches("*.lab", "*.lab"));
}

TEST(NameMatch, WildcardMatchesOnlyLabelCharacters) {
  EXPECT_FALSE(pattern_matches("*.steven.lab", "cu_cm.steven.lab"));  // 8.1: no underscore
  EXPECT_TRUE(pattern_matches("*.steven.lab", "cu-cm9.steven.lab"));
}

TEST(NameMatch, IdnSubjectNeedsAWholeLabelWildcard) {
  EXPECT_TRUE(pattern_matches("*.steven.lab", "xn--bcher-kva.steven.lab"));
  EXPECT_FALSE(pattern_matches("xn*.steven.lab", "xn--bcher-kva.steven.lab"));
  EXPECT_FALSE(pattern_matches("xn--*.steven.lab", "xn--bcher-kva.steven.lab"));
}

TEST(NameMatch, IpAddressSansAreNeverConsulted) {
  CertificateNames only_ip{{}, {"10.48.36.215"}, std::string("cucm.steven.lab")};
  EXPECT_EQ(match_certificate_name(only_ip, "10.48.36.215"), NameMatch::NoMatch);
  CertificateNames ip_as_dns{{"cucm.steven.lab", "10.48.36.215"}, {}, std::string("cucm.steven.lab")};
  EXPECT_EQ(match_certificate_name(ip_as_dns, "10.48.36.215"), NameMatch::DnsSan);
}

TEST(NameMatch, FirstCnIsConsultedEvenWhenSansExist) {
  CertificateNames names{{"other.steven.lab"}, {}, std::string("cucm.steven.lab")};
  EXPECT_EQ(match_certificate_name(names, "cucm.steven.lab"), NameMatch::CommonName);
  EXPECT_EQ(match_certificate_name(names, "imp.steven.lab"), NameMatch::NoMatch);
  CertificateNames cn_ip{{"cucm.steven.lab"}, {}, std::string("10.48.36.215")};
  EXPECT_EQ(match_certificate_name(cn_ip, "10.48.36.215"), NameMatch::CommonName);
}

TEST(CertificateNames, ReadsSansByTypeAndTheFirstCn) {
  mratls::lab::CertSpec spec;
  spec.common_name = "cucm.steven.lab";
  spec.dns_sans = {"cucm.steven.lab", "10.48.36.215"};
  spec.ip_sans = {"10.48.36.216", "fd00::1"};
  auto issued = mratls::lab::issue(spec, nullptr);
  auto names = certificate_names(issued.cert.get());
  EXPECT_EQ(names.dns_sans, (std::vector<std::string>{"cucm.steven.lab", "10.48.36.215"}));
  EXPECT_EQ(names.ip_sans, (std::vector<std::string>{"10.48.36.216", "fd00::1"}));
  EXPECT_EQ(names.first_cn, "cucm.steven.lab");
}
