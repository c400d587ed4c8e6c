// cert lint: each rule fires on the certificate that breaks it, and stays quiet on the one that
// does not.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "lab/pki.hpp"
#include "verify/doctor/certificate_lint.hpp"

using namespace mratls;
using namespace mratls::verify::doctor;
using namespace std::chrono;

namespace {

const lab::Issued& test_ca() {
  static const auto ca = lab::make_ca("Lint Test CA");
  return ca;
}

lab::CertSpec node(const std::string& cn = "cucm.steven.lab") {
  lab::CertSpec spec;
  spec.common_name = cn;
  spec.dns_sans = {cn};
  return spec;
}

std::vector<LintFinding> lint_of(const lab::CertSpec& spec, const lab::Issued* issuer = &test_ca()) {
  auto cert = lab::issue(spec, issuer);
  return lint(certificate_facts(cert.cert.get()), std::time(nullptr));
}

std::optional<LintFinding> find(const std::vector<LintFinding>& findings, const std::string& rule) {
  auto it = std::ranges::find_if(findings, [&](const LintFinding& f) { return f.rule == rule; });
  return it == findings.end() ? std::nullopt : std::optional(*it);
}

std::string rules(const std::vector<LintFinding>& findings) {
  std::string out;
  for (const auto& f : findings) out += f.rule + "(" + to_string(f.severity) + ") ";
  return out;
}

}  // namespace

TEST(CertLint, AGoodNodeCertificateIsClean) {
  auto findings = lint_of(node());
  EXPECT_TRUE(std::ranges::none_of(findings, [](const LintFinding& f) { return counts(f); })) << rules(findings);
  EXPECT_TRUE(findings.empty()) << rules(findings);
}

TEST(CertLint, CnMissingFromSans) {
  auto spec = node();
  spec.dns_sans = {"cucm-sub1.steven.lab"};
  auto f = find(lint_of(spec), "cn-not-in-san");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::Warning);
  EXPECT_EQ(f->message, "CN cucm.steven.lab is not among the DNS SANs");
  EXPECT_NE(f->breaks.find("NET::ERR_CERT_COMMON_NAME_INVALID"), std::string::npos);
  spec.dns_sans = {};
  EXPECT_TRUE(find(lint_of(spec), "cn-not-in-san"));
  spec.dns_sans = {"CUCM.steven.lab"};
  EXPECT_FALSE(find(lint_of(spec), "cn-not-in-san")) << "compared without case";
  auto ec = node("cucm-EC.steven.lab");
  ec.key_type = lab::KeyType::EcdsaP256;
  ec.dns_sans = {"cucm.steven.lab"};
  auto ec_finding = find(lint_of(ec), "cn-not-in-san");
  ASSERT_TRUE(ec_finding);
  EXPECT_EQ(ec_finding->severity, Severity::Note) << "nobody connects to a -EC name";
}

TEST(CertLint, CriticalCertificatePoliciesBreaksUccx) {
  auto spec = node();
  spec.extra_extensions = {{NID_certificate_policies, "critical,2.5.29.32.0"}};
  auto f = find(lint_of(spec), "critical-extension");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_EQ(f->message, "extension X509v3 Certificate Policies is marked critical; only Key Usage and Basic Constraints may be");
  EXPECT_NE(f->breaks.find("UCCX"), std::string::npos);
  spec.extra_extensions = {{NID_certificate_policies, "2.5.29.32.0"}};
  EXPECT_FALSE(find(lint_of(spec), "critical-extension"));
  // The CA's critical Basic Constraints and Key Usage are fine.
  EXPECT_FALSE(find(lint(certificate_facts(test_ca().cert.get()), std::time(nullptr)), "critical-extension"));
}

TEST(CertLint, KeySizes) {
  auto spec = node();
  spec.key_type = lab::KeyType::Rsa4096;
  auto big = lint_of(spec);
  ASSERT_TRUE(find(big, "rsa-key-size-uccx"));
  EXPECT_EQ(find(big, "rsa-key-size-uccx")->message, "RSA key of 4096 bits; UCCX takes 1024 or 2048 only");
  EXPECT_FALSE(find(big, "weak-key"));
  spec.key_type = lab::KeyType::Rsa1024;
  auto small = lint_of(spec);
  EXPECT_FALSE(find(small, "rsa-key-size-uccx")) << "UCCX takes 1024";
  ASSERT_TRUE(find(small, "weak-key"));
  EXPECT_EQ(find(small, "weak-key")->severity, Severity::Error);
  spec.key_type = lab::KeyType::Rsa2048;
  EXPECT_FALSE(find(lint_of(spec), "weak-key"));
}

TEST(CertLint, Sha1Signature) {
  auto spec = node();
  spec.digest = lab::Digest::Sha1;
  auto f = find(lint_of(spec), "weak-signature");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_EQ(f->message, "signed with sha1WithRSAEncryption");
  auto self = find(lint_of(spec, nullptr), "weak-signature");
  ASSERT_TRUE(self);
  EXPECT_EQ(self->severity, Severity::Note) << "a trust anchor's own signature is not checked";
}

TEST(CertLint, Validity) {
  auto spec = node();
  spec.not_before = -hours(48);
  spec.not_after = -hours(24);
  auto expired = find(lint_of(spec), "expired");
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->severity, Severity::Error);
  spec.not_before = hours(24);
  spec.not_after = hours(24 * 365);
  EXPECT_TRUE(find(lint_of(spec), "not-yet-valid"));
  spec.not_before = -hours(1);
  spec.not_after = hours(24 * 10) + minutes(30);
  auto soon = find(lint_of(spec), "expiring");
  ASSERT_TRUE(soon);
  EXPECT_EQ(soon->severity, Severity::Warning);
  EXPECT_NE(soon->message.find("in 10 days"), std::string::npos) << soon->message;
  spec.not_after = hours(24 * 31);
  auto later = lint_of(spec);
  EXPECT_FALSE(find(later, "expiring"));
  EXPECT_FALSE(find(later, "expired"));
}

TEST(CertLint, ServerAuthInExtendedKeyUsage) {
  auto spec = node();
  spec.ext_key_usage = "clientAuth";
  auto f = find(lint_of(spec), "no-server-auth");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_NE(f->breaks.find("unsupported certificate purpose"), std::string::npos);
  spec.ext_key_usage = "";
  auto none = find(lint_of(spec), "no-server-auth");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->severity, Severity::Note) << "no EKU at all is any purpose";
  spec.ext_key_usage = "serverAuth";
  EXPECT_FALSE(find(lint_of(spec), "no-server-auth"));
}

TEST(CertLint, Wildcards) {
  auto spec = node("*.steven.lab");
  auto findings = lint_of(spec);
  EXPECT_EQ(std::ranges::count_if(findings, [](const auto& f) { return f.rule == "wildcard"; }), 2) << rules(findings);
  EXPECT_NE(find(findings, "wildcard")->breaks.find("not supported"), std::string::npos);
}

TEST(CertLint, IpOnlyAsIpAddressSan) {
  auto spec = node();
  spec.ip_sans = {"10.48.36.215"};
  auto f = find(lint_of(spec), "ip-only-as-ipaddress-san");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::Warning);
  EXPECT_NE(f->breaks.find("'SNI (10.48.36.215) not in certificate'"), std::string::npos);
  spec.dns_sans.push_back("10.48.36.215");  // as CUCM writes IPs into SANs
  EXPECT_FALSE(find(lint_of(spec), "ip-only-as-ipaddress-san"));
}

TEST(CertLint, EcdsaCnSuffix) {
  auto spec = node("cucm.steven.lab");
  spec.key_type = lab::KeyType::EcdsaP256;
  auto f = find(lint_of(spec), "ecdsa-cn-suffix");
  ASSERT_TRUE(f);
  EXPECT_NE(f->breaks.find("one certificate per CN"), std::string::npos);
  spec = node("cucm-EC.steven.lab");
  spec.key_type = lab::KeyType::EcdsaP256;
  EXPECT_FALSE(find(lint_of(spec), "ecdsa-cn-suffix"));
  spec = node("cucm.steven.lab-EC");  // the suffix on the whole name, also seen in the field
  spec.key_type = lab::KeyType::EcdsaP256;
  EXPECT_FALSE(find(lint_of(spec), "ecdsa-cn-suffix"));
  spec = node("cucm-EC-ms.steven.lab");
  spec.key_type = lab::KeyType::EcdsaP256;
  EXPECT_FALSE(find(lint_of(spec), "ecdsa-cn-suffix"));
  EXPECT_FALSE(find(lint_of(node("cucm.steven.lab")), "ecdsa-cn-suffix")) << "RSA has no suffix";
}

TEST(CertLint, MultiServerCertificates) {
  auto spec = node("cucm-ms.steven.lab");
  spec.dns_sans = {"cucm-ms.steven.lab", "cucm-pub.steven.lab", "cucm-sub1.steven.lab"};
  auto ms = find(lint_of(spec), "multi-server");
  ASSERT_TRUE(ms);
  EXPECT_EQ(ms->severity, Severity::Note);
  EXPECT_EQ(ms->message, "multi-server certificate for: cucm-ms.steven.lab, cucm-pub.steven.lab, cucm-sub1.steven.lab");
  spec.dns_sans = {"cucm-ms.steven.lab"};
  auto lonely = find(lint_of(spec), "multi-server");
  ASSERT_TRUE(lonely);
  EXPECT_EQ(lonely->severity, Severity::Warning);
  spec = node("cucm-pub.steven.lab");
  spec.dns_sans = {"cucm-pub.steven.lab", "cucm-sub1.steven.lab"};
  auto unnamed = find(lint_of(spec), "multi-server");
  ASSERT_TRUE(unnamed);
  EXPECT_NE(unnamed->message.find("lacks the -ms suffix"), std::string::npos);
  // IM&P puts its domain in the SANs: that is not a second node.
  spec.dns_sans = {"imp.steven.lab", "steven.lab"};
  spec.common_name = "imp.steven.lab";
  EXPECT_FALSE(find(lint_of(spec), "multi-server"));
}

TEST(CertLint, HostRulesSkipCertificateAuthorities) {
  auto findings = lint(certificate_facts(test_ca().cert.get()), std::time(nullptr));
  EXPECT_TRUE(findings.empty()) << rules(findings);
}

TEST(CertLint, UccxKeySizeIsAboutServerCertificatesOnly) {
  lab::CertSpec root;
  root.common_name = "Big Root";
  root.is_ca = true;
  root.key_type = lab::KeyType::Rsa4096;
  auto findings = lint_of(root, nullptr);
  EXPECT_FALSE(find(findings, "rsa-key-size-uccx")) << rules(findings);
}

// CUCM's own self-signed tomcat / CallManager certificates carry CA:TRUE; what they name is the
// node, so they are judged as servers. A CA's descriptive name keeps them out.
TEST(CertLint, SelfSignedCaTrueNodeCertificatesGetTheServerRules) {
  lab::CertSpec callmanager;
  callmanager.common_name = "cucm-ms.steven.lab";  // as CUCM names it, missing from its SANs
  callmanager.dns_sans = {"cucm.steven.lab"};
  callmanager.is_ca = true;
  auto findings = lint_of(callmanager, nullptr);
  EXPECT_TRUE(find(findings, "multi-server")) << rules(findings);
  ASSERT_TRUE(find(findings, "self-signed")) << rules(findings);
  EXPECT_EQ(find(findings, "self-signed")->message,
            "self-signed with CA:TRUE, as CUCM makes its own, and judged as the server it names: X14.2 accepts it only "
            "if this very certificate is in the Expressway-C trust store");

  lab::CertSpec tomcat;
  tomcat.common_name = "cucm.steven.lab";
  tomcat.dns_sans = {"cucm2.steven.lab"};
  tomcat.is_ca = true;
  findings = lint_of(tomcat, nullptr);
  ASSERT_TRUE(find(findings, "cn-not-in-san")) << rules(findings);
  EXPECT_EQ(find(findings, "cn-not-in-san")->severity, Severity::Warning);
  EXPECT_TRUE(std::ranges::any_of(findings, [](const LintFinding& f) { return counts(f); })) << "was clean before: " << rules(findings);

  // A host-like CN alone, no SANs, is a server too; the descriptive root CA name is not.
  lab::CertSpec bare;
  bare.common_name = "cucm-EC.steven.lab";
  bare.is_ca = true;
  bare.key_type = lab::KeyType::EcdsaP256;
  findings = lint_of(bare, nullptr);
  EXPECT_TRUE(find(findings, "cn-not-in-san")) << rules(findings);
  lab::CertSpec root;
  root.common_name = "Steven Lab Root CA";
  root.is_ca = true;
  EXPECT_FALSE(find(lint_of(root, nullptr), "cn-not-in-san"));
  EXPECT_FALSE(find(lint_of(root, nullptr), "self-signed"));
}
