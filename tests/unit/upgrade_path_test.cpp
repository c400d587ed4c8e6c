// The cipher string X14.2 runs after an upgrade, by the rules of the X14.2.1 release notes, and
// the certificate each string makes a dual RSA/ECDSA origin present.
#include <gtest/gtest.h>

#include "check/change_board.hpp"
#include "check/report.hpp"
#include "check/change_date.hpp"
#include "verify/upgrade_path.hpp"
#include "config/config.hpp"

using namespace mratls;
using verify::CertificatePreference;

namespace {

const std::string kDefault = config::kDefaultCiphers;
const std::string kPrefixed = "ECDHE-RSA-AES256-GCM-SHA384:" + kDefault;

}  // namespace

TEST(UpgradePath, FromBelowX14_0TheStringStaysAndEcdsaIsPreferred) {
  auto path = verify::upgrade_path("X12.7", kDefault);
  ASSERT_TRUE(path) << path.error().message;
  EXPECT_EQ(path->ciphers_after, kDefault);
  EXPECT_EQ(path->preference_after, CertificatePreference::Ecdsa);
  EXPECT_EQ(path->rule, "upgrading from X12.7.0, below X14.0, leaves the cipher string as it is: ECDSA is preferred");
  EXPECT_EQ(path->from_text(), "X12.7.0");
}

TEST(UpgradePath, FromX14_0OrLaterThePrefixIsPrependedAndRsaIsPreferred) {
  for (const char* from : {"X14.0", "X14.0.7", "14.1.2"}) {
    auto path = verify::upgrade_path(from, kDefault);
    ASSERT_TRUE(path) << path.error().message;
    EXPECT_EQ(path->ciphers_after, kPrefixed) << from;
    EXPECT_EQ(path->preference_after, CertificatePreference::Rsa) << from;
    EXPECT_NE(path->rule.find(", X14.0 or later, prepends 'ECDHE-RSA-AES256-GCM-SHA384:': RSA is preferred"), std::string::npos)
        << path->rule;
  }
}

TEST(UpgradePath, AStringThatCarriesThePrefixAlreadyIsNotPrefixedTwice) {
  auto path = verify::upgrade_path("X14.0.7", kPrefixed);
  ASSERT_TRUE(path) << path.error().message;
  EXPECT_EQ(path->ciphers_after, kPrefixed);
  EXPECT_NE(path->rule.find("begins with it already and stays as it is"), std::string::npos) << path->rule;
  // From below X14.0 a prefixed string (set by hand) stays too, and still prefers RSA.
  auto old = verify::upgrade_path("X12.6.2", kPrefixed);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->ciphers_after, kPrefixed);
  EXPECT_EQ(old->preference_after, CertificatePreference::Rsa);
}

TEST(UpgradePath, AStringWithoutEcdsaPrefersRsaOnEveryPath) {
  const std::string no_ecdsa = kDefault + ":!ECDSA";
  auto old = verify::upgrade_path("X12.7", no_ecdsa);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->ciphers_after, no_ecdsa);
  EXPECT_EQ(old->preference_after, CertificatePreference::Rsa);
  auto recent = verify::upgrade_path("X14.0.7", no_ecdsa);
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->ciphers_after, "ECDHE-RSA-AES256-GCM-SHA384:" + no_ecdsa);
  EXPECT_EQ(recent->preference_after, CertificatePreference::Rsa);
}

// The risk "if the cipher string changes" is judged under a string that prefers the other
// certificate, whatever made the string after the upgrade prefer its own.
TEST(UpgradePath, TheOtherPreferenceIsAStringThatReallyPrefersTheOtherCertificate) {
  auto old = verify::upgrade_path("X12.7", kDefault);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->ciphers_if_changed, kPrefixed);
  EXPECT_EQ(old->changed_how, "the prefix added");
  auto recent = verify::upgrade_path("X14.0.7", kDefault);
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->ciphers_if_changed, kDefault);
  EXPECT_EQ(recent->changed_how, "the prefix removed");
  // RSA preferred without the prefix: taking a prefix off would change nothing, the default does.
  for (const std::string& site : {kDefault + ":!ECDSA", kDefault + ":+ECDSA"}) {
    auto path = verify::upgrade_path("X12.7", site);
    ASSERT_TRUE(path) << path.error().message;
    EXPECT_EQ(path->preference_after, CertificatePreference::Rsa) << site;
    EXPECT_EQ(path->ciphers_if_changed, kDefault) << site;
    EXPECT_EQ(path->changed_how, "back to the default string") << site;
    EXPECT_EQ(*verify::certificate_preference(path->ciphers_if_changed), CertificatePreference::Ecdsa);
  }
}

TEST(UpgradePath, AFreshInstallRunsTheDefault) {
  auto path = verify::upgrade_path("fresh", kPrefixed);  // what the site runs today does not carry over
  ASSERT_TRUE(path) << path.error().message;
  EXPECT_FALSE(path->from);
  EXPECT_EQ(path->ciphers_after, kDefault);
  EXPECT_EQ(path->preference_after, CertificatePreference::Ecdsa);
  EXPECT_EQ(path->from_text(), "a fresh install");
  EXPECT_EQ(path->path_text(), "a fresh X14.2 install");
}

TEST(UpgradePath, BadInputIsNamed) {
  auto unknown = verify::upgrade_path("X99-beta", kDefault);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().input, verify::UpgradePathError::Input::From);
  EXPECT_EQ(unknown.error().message,
            "'X99-beta' is not an Expressway release: give the version the site runs, such as X12.7 or X14.0.7, or 'fresh'");
  EXPECT_FALSE(verify::upgrade_path("X7.2", kDefault));  // before the first Expressway release
  auto already = verify::upgrade_path("X14.2.1", kDefault);
  ASSERT_FALSE(already);
  EXPECT_EQ(already.error().message, "X14.2.1 verifies origins already: there is no upgrade to X14.2 from it to judge");
  auto empty = verify::upgrade_path("X12.7", "");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().input, verify::UpgradePathError::Input::Ciphers);
  EXPECT_NE(empty.error().message.find("the cipher string is empty"), std::string::npos);
  auto nonsense = verify::upgrade_path("X12.7", "NOT-A-CIPHER");
  ASSERT_FALSE(nonsense);
  EXPECT_EQ(nonsense.error().message, "OpenSSL selects no TLS 1.2 cipher from 'NOT-A-CIPHER'");
}

TEST(CertificatePreference, TheFirstSuiteWithACertificateTypeDecides) {
  EXPECT_EQ(*verify::certificate_preference(kDefault), CertificatePreference::Ecdsa);
  EXPECT_EQ(*verify::certificate_preference(kPrefixed), CertificatePreference::Rsa);
  EXPECT_EQ(*verify::certificate_preference(kDefault + ":+ECDSA"), CertificatePreference::Rsa);
  EXPECT_EQ(*verify::certificate_preference(kDefault + ":!ECDSA"), CertificatePreference::Rsa);
  EXPECT_EQ(*verify::certificate_preference("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"), CertificatePreference::Ecdsa);
  auto neither = verify::certificate_preference("aNULL");
  ASSERT_FALSE(neither);
  EXPECT_EQ(neither.error(), "'aNULL' offers no TLS 1.2 cipher with ECDSA or RSA authentication");
}

// What a string lets a TLS 1.2 node present, read by OpenSSL: every term counts.
TEST(CertificatePreference, TheOfferedCertificateTypesFollowTheTerms) {
  EXPECT_EQ(*verify::offered_authentication(kDefault), (verify::Offered{true, true}));
  EXPECT_EQ(*verify::offered_authentication(kDefault + ":!aRSA"), (verify::Offered{true, false}));
  EXPECT_EQ(*verify::offered_authentication(kDefault + ":!ECDSA"), (verify::Offered{false, true}));
  EXPECT_EQ(*verify::offered_authentication(kDefault + ":+ECDSA"), (verify::Offered{true, true}));
  EXPECT_FALSE(verify::offered_authentication("no-such-cipher"));
}

TEST(UpgradePath, TheAlternativesAreTheFieldsFour) {
  auto alts = verify::steering_alternatives(kDefault);
  ASSERT_EQ(alts.size(), 4u);
  EXPECT_EQ(alts[0].ciphers, kPrefixed);
  EXPECT_EQ(alts[1].ciphers, kDefault + ":+ECDSA");
  EXPECT_EQ(alts[2].ciphers, kDefault + ":!ECDSA");
  EXPECT_EQ(alts[3].id, "trust-signer");
  EXPECT_EQ(alts[3].ciphers, "");
  // After an upgrade that prefixed the string, prepending changes nothing.
  EXPECT_EQ(verify::steering_alternatives(kPrefixed)[0].ciphers, kPrefixed);
}

TEST(ChangeDate, ADayOrATimeInUtc) {
  EXPECT_EQ(*check::parse_change_date("2027-03-01"), 1803859200 + 86399);  // the whole day: its last second
  EXPECT_EQ(*check::parse_change_date("2027-03-01T22:00:00Z"), 1803859200 + 22 * 3600);
  EXPECT_EQ(*check::parse_change_date("2027-03-01T22:30Z"), 1803859200 + 22 * 3600 + 1800);
  for (const char* bad : {"", "tomorrow", "2027-02-30", "2027-13-01", "2027-3-1", "2027-03-01T25:00:00Z", "2027-03-01T22:00:00",
                          "2027-03-01 22:00", "2027-03-01x"}) {
    auto t = check::parse_change_date(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error(), "--at '" + std::string(bad) +
                             "' is not a date: give the day of the change as 2027-03-01 (UTC) or a time as 2027-03-01T22:00:00Z");
  }
}

// What a node sends ends up in the page: a hostile subject is text, never markup, and a pipe
// does not cut a Markdown row.
TEST(ChangeBoard, WhatANodeSendsIsTextInBothFormats) {
  check::ChangeBoard b;
  b.site = "site <b>";
  b.version_path = "X12.7.0 to X14.2";
  b.columns = {"after the upgrade"};
  b.rows.push_back({"cucm|1", "127.0.0.1", 8443, {{check::BoardCell::State::Fail, "reason \"<img src=x onerror=alert(1)>\""}}});
  b.failures.push_back({"cucm:8443", "after the upgrade", "<script>alert(1)</script>", "CN=<script>", "CN=*x*_[y](z)", "AA:BB", "fix & more"});
  b.failing = 1;
  const std::string html = check::board_html(b);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("title=\"reason &quot;&lt;img src=x onerror=alert(1)&gt;&quot;\""), std::string::npos);
  EXPECT_NE(html.find("fix &amp; more"), std::string::npos);
  EXPECT_NE(html.find("1 node port would fail"), std::string::npos);
  const std::string md = check::board_markdown(b);
  EXPECT_NE(md.find("| cucm\\|1 | 127.0.0.1 | 8443 | **FAIL** |"), std::string::npos) << md;
  for (auto at = md.find('<'); at != std::string::npos; at = md.find('<', at + 1))
    EXPECT_EQ(md[at - 1], '\\') << "an unescaped '<' at " << at << " in\n" << md;
  EXPECT_NE(md.find("\\<script>alert(1)\\</script>"), std::string::npos) << md;
  EXPECT_NE(md.find("- Issuer: CN=\\*x\\*\\_\\[y\\](z)"), std::string::npos) << md;
}

// A node port that fails under both preferences is one node port that fails, not two.
TEST(ChangeBoard, FailingNodePortsAreCountedOnce) {
  check::Report report;
  for (const char* preference : {"ECDSA-first", "RSA-first"}) {
    check::Row row;
    row.probe.target = {"cucm.lab", "https", 8443};
    row.probe.preference = preference;
    row.probe.outcome = check::ProbeOutcome::Refused;
    row.fix = "Renew it.";
    report.rows.push_back(row);
  }
  report.failing = 2;  // probes, as judge() counts them
  const auto board = check::change_board(report, {"site", kDefault, "1.0", "now"});
  EXPECT_EQ(board.failing, 1u);
  ASSERT_EQ(board.rows.size(), 1u);
  EXPECT_EQ(board.fixes.size(), 1u);
  EXPECT_NE(check::board_markdown(board).find("1 node port would fail"), std::string::npos);
}
