// check's verdicts over probes built by hand: the fix names the certificate at fault, and the
// cipher preference is explained only where it decides the outcome.
#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include "check/report.hpp"
#include "logs/line_format.hpp"
#include "verify/x509_text.hpp"

using namespace mratls;

namespace {

verify::CertificateSummary leaf(const std::string& cn, const std::string& issuer_cn, const std::string& key_type) {
  verify::CertificateSummary s;
  s.subject_cn = cn;
  s.issuer_cn = issuer_cn;
  s.key_type = key_type;
  s.dns_sans = {cn};
  s.self_signed = cn == issuer_cn;
  return s;
}

check::Probe refused(const std::string& node, std::uint16_t port, const std::string& preference, int x509_error,
                     verify::CertificateSummary presented, const std::string& tls = "TLSv1.2") {
  check::Probe p;
  p.target = {node, "https", port};
  p.preference = preference;
  p.prefers = preference == "RSA-first" ? verify::CertificatePreference::Rsa : verify::CertificatePreference::Ecdsa;
  p.outcome = check::ProbeOutcome::Refused;
  p.ip = "10.0.0.5";
  p.tls_version = tls;
  p.chain = {std::move(presented)};
  verify::Finding f{verify::Finding::Kind::Chain, x509_error, 0};
  p.findings = {f};
  // As the connector makes it: the outcome carries the certificate the node presented.
  const auto& c = p.chain.front();
  p.failure = verify::ChainRefused{node, x509_error, 0, verify::x509_error_text(x509_error, config::OpenSslText::Expressway),
                                   std::nullopt,
                                   verify::PresentedLeaf{c.subject_cn, c.issuer_cn, c.key_type == "ECDSA", tls == "TLSv1.3",
                                                         c.dns_sans, c.ip_sans, c.not_before, c.not_after}};
  p.x142_lines = {logs::verification_line(0, f, {node, node, p.ip}, verify::Enforcement::Enforce,
                                          config::OpenSslText::Expressway)};
  return p;
}

check::Probe verified(const std::string& node, std::uint16_t port, const std::string& preference) {
  check::Probe p;
  p.target = {node, "https", port};
  p.preference = preference;
  p.prefers = preference == "RSA-first" ? verify::CertificatePreference::Rsa : verify::CertificatePreference::Ecdsa;
  p.outcome = check::ProbeOutcome::Verified;
  return p;
}

}  // namespace

TEST(CheckReport, AnEcdsaCertificateRefusedOnlyEcdsaFirstIsCuredByTheRsaPrefix) {
  std::vector<check::Probe> probes{
      refused("cucm.lab", 6972, "ECDSA-first", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, leaf("cucm-EC.lab", "cucm-EC.lab", "ECDSA")),
      verified("cucm.lab", 6972, "RSA-first")};
  auto report = check::judge(std::move(probes), {});
  EXPECT_EQ(report.failing, 1u);
  EXPECT_TRUE(report.refused);
  EXPECT_EQ(report.rows[0].diagnosis.cause, verify::Cause::SelfSigned);
  // What only the two probes show goes to the reason; the fix is the catalogue's, as every reader gives it.
  EXPECT_EQ(check::reason_of(report.rows[0]),
            "fails only ECDSA-first (the RSA certificate passes): self-signed certificate on cucm.lab, 'cucm-EC.lab' issued by "
            "'cucm-EC.lab'");
  EXPECT_TRUE(report.rows[0].fix.starts_with("Upload the self-signed certificate 'cucm-EC.lab' of cucm.lab")) << report.rows[0].fix;
  EXPECT_NE(report.rows[0].fix.find("under TLS 1.2 the cipher prefix ECDHE-RSA-AES256-GCM-SHA384: also makes the node present "
                                    "its RSA certificate instead"),
            std::string::npos)
      << report.rows[0].fix;
  ASSERT_EQ(report.fixes.size(), 1u);
  EXPECT_EQ(report.fixes.begin()->second, (std::vector<std::string>{"cucm.lab:6972 ECDSA-first"}));
}

TEST(CheckReport, UnderTls13TheCipherPrefixIsSaidNotToHelp) {
  std::vector<check::Probe> probes{
      refused("cucm.lab", 8443, "ECDSA-first", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, leaf("cucm-EC", "cucm-EC", "ECDSA"), "TLSv1.3"),
      refused("cucm.lab", 8443, "RSA-first", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, leaf("cucm-EC", "cucm-EC", "ECDSA"), "TLSv1.3")};
  auto report = check::judge(std::move(probes), {});
  EXPECT_EQ(report.failing, 2u);
  EXPECT_TRUE(report.rows[0].fix.starts_with("Upload the self-signed certificate 'cucm-EC' of cucm.lab")) << report.rows[0].fix;
  EXPECT_NE(report.rows[0].fix.find("The RSA-first cipher prefix cannot help here"), std::string::npos);
  EXPECT_EQ(report.rows[0].fix.find("ECDHE-RSA-AES256-GCM-SHA384"), std::string::npos) << report.rows[0].fix;
  // The RSA-first probe: the same words, as a proxy with RSA-first set gives them.
  EXPECT_EQ(report.rows[1].fix, report.rows[0].fix);
}

TEST(CheckReport, AnIssuerMissingFromTheStoreIsNamedAndNotCalledAnIntermediate) {
  std::vector<check::Probe> probes{refused("cuc.lab", 443, "RSA-first", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                                           leaf("cuc.lab", "Lab Issuing CA 2", "RSA"))};
  auto report = check::judge(std::move(probes), {});
  EXPECT_EQ(report.rows[0].diagnosis.cause, verify::Cause::UntrustedChain);
  EXPECT_TRUE(report.rows[0].fix.starts_with("Upload 'Lab Issuing CA 2', the CA that issued the certificate of cuc.lab"))
      << report.rows[0].fix;
  EXPECT_EQ(report.rows[0].fix.find("intermediate"), std::string::npos) << report.rows[0].fix;
}

TEST(CheckReport, AKnownGapGivesTheCataloguesFixNamingTheCertificate) {
  auto p = refused("cuc.lab", 443, "RSA-first", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, leaf("cuc.lab", "Lab Issuing CA 2", "RSA"));
  std::get<verify::ChainRefused>(*p.failure).gap =
      verify::ChainGap{verify::ChainGap::Kind::IntermediateLeftOut, "cuc.lab", "Lab Issuing CA 2", "AA:BB", {}, {}, false, {}};
  auto report = check::judge({p}, {});
  EXPECT_EQ(report.rows[0].diagnosis.cause, verify::Cause::MissingIntermediate);
  EXPECT_TRUE(report.rows[0].fix.starts_with("Make cuc.lab send its full chain")) << report.rows[0].fix;
  EXPECT_NE(report.rows[0].fix.find("'Lab Issuing CA 2' (key id AA:BB)"), std::string::npos) << report.rows[0].fix;
}

TEST(CheckReport, ANetworkFailureFailsBeforeX142TooAndIsNotCuredByVerifyOff) {
  check::Probe p;
  p.target = {"imp.lab", "https", 8443};
  p.preference = "ECDSA-first";
  p.outcome = check::ProbeOutcome::ConnectFailed;
  p.error = "Connection refused";
  p.failure = verify::NetworkFailure{"imp.lab:8443", p.error};
  auto report = check::judge({p}, {"discovery: x advertises 0 node(s)"});
  EXPECT_EQ(report.failing, 1u);
  EXPECT_FALSE(report.refused);
  EXPECT_FALSE(report.rows[0].probe.before_x142_ok());
  EXPECT_EQ(report.rows[0].fix,
            "Before X14.2 too: no connection: Connection refused — check that imp.lab listens with TLS on port 8443.");
  EXPECT_EQ(report.notes, (std::vector<std::string>{"discovery: x advertises 0 node(s)"}));
}

TEST(CheckReport, EveryNodePassingSaysSo) {
  std::ostringstream text;
  check::print_report(check::judge({verified("cucm.lab", 8443, "ECDSA-first")}, {}), false, text);
  EXPECT_NE(text.str().find("Every node and port passes X14.2's origin verification."), std::string::npos);
  auto json = check::report_json(check::judge({verified("cucm.lab", 8443, "ECDSA-first")}, {}));
  EXPECT_EQ(json["schema"], "mratls.check/1");
  EXPECT_EQ(json["summary"]["x142_failures"], 0);
  EXPECT_TRUE(json["workaround"].is_null());
}

// A column is labelled by what its string prefers; beside it, the certificate the node really
// presented to that probe (an RSA-only node gives RSA to the ECDSA-first probe too).
TEST(CheckReport, EachRowNamesTheCertificateItsProbeGot) {
  auto rsa_only = refused("cuc.lab", 443, "ECDSA-first", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, leaf("cuc.lab", "cuc.lab", "RSA"));
  auto none = verified("imp.lab", 8443, "ECDSA-first");
  const auto report = check::judge({rsa_only, none}, {});
  std::ostringstream text;
  check::print_report(report, false, text);
  EXPECT_NE(text.str().find("443   ECDSA-first  RSA       pass       FAIL"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("8443  ECDSA-first  -         pass"), std::string::npos) << text.str();
  const auto json = check::report_json(report);
  EXPECT_EQ(json["probes"][0]["presented"], "RSA");
  EXPECT_TRUE(json["probes"][1]["presented"].is_null());
}
