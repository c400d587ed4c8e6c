// A diagnosis is facts, put into words once (issue 37): a node with two problems gets a fix for
// each, in order, each written knowing the other. The expected words are written from the case,
// not computed by the renderer.
#include <gtest/gtest.h>

#include <openssl/x509_vfy.h>

#include "verify/fix_catalogue.hpp"

// A namespace of its own: the test files of a target compile as one unit.
namespace diagnosis_test {

using namespace mratls::verify;

namespace {

PresentedLeaf leaf(const std::string& cn, bool ecdsa = false) {
  return {cn, "Lab Issuing CA", ecdsa, false, {cn}, {}, "2025-03-01T00:00:00Z", "2027-02-01T00:00:00Z"};
}

ChainRefused refused(const std::string& name, int error, const std::optional<PresentedLeaf>& l, int depth = 0) {
  return ChainRefused{name, error, depth, "", std::nullopt, l};
}

constexpr std::time_t kChange = 1803772800;  // 2027-02-28T00:00:00Z

}  // namespace

// check --at: the certificate will have expired by the change and does not carry the node's name.
// Renewing it as it is would leave the name wrong: one certificate, reissued with both.
TEST(Diagnosis, ExpiringAndTheWrongNameIsOneReissueWithBoth) {
  const auto presented = leaf("cucm-old.lab.test");
  Facts f{{refused("cucm.lab.test", X509_V_ERR_CERT_HAS_EXPIRED, presented),
           NameNotInCertificate{"cucm.lab.test", false, presented}}};
  f.judged_at = kChange;
  const auto d = diagnose(f);
  EXPECT_EQ(d.cause, Cause::Expired);
  ASSERT_EQ(d.fixes.size(), 1u) << d.fix;
  EXPECT_EQ(d.fixes[0],
            "Reissue 'cucm-old.lab.test' of cucm.lab.test with cucm.lab.test as a SAN, valid past 2027-02-28 (the one it "
            "presents expired 2027-02-01T00:00:00Z).");
  EXPECT_EQ(d.summary,
            "the certificate of cucm.lab.test has expired at 2027-02-28, the date of the change; and cucm.lab.test is not a "
            "name in its certificate");
  EXPECT_EQ(d.fix.find("Renew"), std::string::npos) << d.fix;
}

// A self-signed ECDSA certificate on 6972 that will also have expired: uploading it heals nothing.
TEST(Diagnosis, SelfSignedAndExpiredIsRegeneratedThenUploaded) {
  const auto presented = leaf("cucm-EC.lab.test", true);
  Facts f{{refused("cucm.lab.test", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, presented),
           refused("cucm.lab.test", X509_V_ERR_CERT_HAS_EXPIRED, presented)}};
  f.judged_at = kChange;
  const auto d = diagnose(f);
  EXPECT_EQ(d.cause, Cause::SelfSigned);
  ASSERT_EQ(d.fixes.size(), 1u) << d.fix;
  EXPECT_TRUE(d.fixes[0].starts_with("Regenerate the self-signed certificate 'cucm-EC.lab.test' of cucm.lab.test, valid past "
                                     "2027-02-28 (the one it presents expired 2027-02-01T00:00:00Z), then upload the new one"))
      << d.fixes[0];
  EXPECT_NE(d.fixes[0].find("under TLS 1.2 the cipher prefix"), std::string::npos) << "an ECDSA certificate: the prefix still steers";
  EXPECT_EQ(d.fix.find("Upload the self-signed certificate"), std::string::npos) << d.fix;
}

// A chain from a CA the store lacks, for another name: two fixes, the chain's first.
TEST(Diagnosis, UntrustedAndTheWrongNameAreTwoFixesInOrder) {
  const auto presented = leaf("other.lab.test");
  const auto d = diagnose(Facts{{refused("cucm.lab.test", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, presented),
                                 NameNotInCertificate{"cucm.lab.test", false, presented}}});
  EXPECT_EQ(d.cause, Cause::UntrustedChain);
  ASSERT_EQ(d.fixes.size(), 2u) << d.fix;
  EXPECT_TRUE(d.fixes[0].starts_with("Upload 'Lab Issuing CA', the CA that issued the certificate of cucm.lab.test")) << d.fixes[0];
  EXPECT_TRUE(d.fixes[1].starts_with("Reissue the certificate of cucm.lab.test with cucm.lab.test as a SAN")) << d.fixes[1];
  EXPECT_EQ(d.fix, "(1) " + d.fixes[0] + " (2) " + d.fixes[1]);
}

// What two probes show is a fact too; and log-only is said for what it is.
TEST(Diagnosis, FactsAroundTheFindingsAreSaidNotPatched) {
  const auto presented = leaf("cucm-EC.lab.test", true);
  Facts f{{refused("cucm.lab.test", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, presented)}};
  f.other_certificate = OtherCertificate::Passes;
  EXPECT_EQ(diagnose(f).summary,
            "fails only ECDSA-first (the RSA certificate passes): self-signed certificate on cucm.lab.test, 'cucm-EC.lab.test' "
            "issued by 'Lab Issuing CA'");
  f.other_certificate = OtherCertificate::Unknown;
  f.passed_by_log_only = true;
  EXPECT_TRUE(diagnose(f).summary.starts_with("passes only because of log-only (Traffic Server's permissive policy, this "
                                              "emulator's preview: Expressway has VerifyOriginServer On and Off only); On "
                                              "would refuse it: self-signed certificate on cucm.lab.test"));
}

// The same finding twice (an attempt retried) is one fix.
TEST(Diagnosis, AFindingSaidTwiceIsOneFix) {
  const auto d = diagnose(Facts{{refused("cucm.lab.test", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, std::nullopt),
                                 refused("cucm.lab.test", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, std::nullopt)}});
  EXPECT_EQ(d.fixes.size(), 1u);
  EXPECT_EQ(d.summary, "self-signed certificate on cucm.lab.test");
}

// A handshake failure against a string that offers no RSA suite (…:!aRSA) is that string's
// doing when the node can only serve RSA; the string in force is a fact, the words follow it.
TEST(Diagnosis, AHandshakeFailureUnderAStringWithoutRsaSuitesNamesTheString) {
  const HandshakeFailed failed{"cucm.lab.test",
                               "error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure"};
  Facts f{{failed}};
  f.offered = Offered{true, false};
  const auto d = diagnose(f);
  EXPECT_EQ(d.cause, Cause::TlsFailure);
  EXPECT_EQ(d.summary,
            "cucm.lab.test answered with a handshake failure: the cipher string offers no TLS 1.2 suite with RSA "
            "authentication, and cucm.lab.test most likely has an RSA certificate only");
  EXPECT_EQ(d.fix,
            "Put suites with RSA authentication back into Expressway-C's cipher string (take out the term that removes "
            "them, such as !aRSA), or give cucm.lab.test a CA-signed ECDSA certificate (on CUCM: tomcat-ECDSA).");
  // Not that: a string with both, TLS 1.3 (where the string does not choose the certificate),
  // the string unknown (the lines alone), or another failure.
  const std::string generic =
      "Check that cucm.lab.test listens with TLS on this port and shares a TLS version and a cipher suite with Expressway-C "
      "(this fails before X14.2 too): error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure";
  f.offered = Offered{true, true};
  EXPECT_EQ(diagnose(f).fix, generic);
  f.offered = Offered{false, false};  // a ClientHello of TLS 1.3 suites only
  EXPECT_EQ(diagnose(f).fix, generic);
  f.offered = Offered{true, false};
  f.tls13 = true;
  EXPECT_EQ(diagnose(f).fix, generic);
  f.tls13.reset();
  f.offered.reset();
  EXPECT_EQ(diagnose(f).fix, generic);
  f.offered = Offered{true, false};
  f.findings = {HandshakeFailed{"cucm.lab.test", "error:1408F10B:SSL routines:ssl3_get_record:wrong version number"}};
  EXPECT_TRUE(diagnose(f).fix.starts_with("Check that cucm.lab.test listens with TLS")) << diagnose(f).fix;
}

}  // namespace diagnosis_test
