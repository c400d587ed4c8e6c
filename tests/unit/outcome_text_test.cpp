// From the appliance's lines back to typed outcomes (scan's one place for it), and from an
// outcome to its cause and fix (the catalogue): every signature, the names taken from the lines,
// and lines that only look similar.
#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include "scan/outcome_text.hpp"
#include "verify/fix_catalogue.hpp"

using namespace mratls;
using verify::Cause;
using verify::is_verification_failure;

namespace {

verify::Diagnosis diagnose_lines(const std::vector<std::string>& lines) {
  auto outcome = scan::outcome_of(lines);
  return outcome ? verify::explain(*outcome) : verify::Diagnosis{};
}

std::string core(const std::string& name, const std::string& error, int depth) {
  return "2022-07-11T18:55:26.016+02:00 vcsc traffic_server[18242]: [ET_NET 0] WARNING: Core server certificate "
         "verification failed for (" + name + "). Action=Terminate Error=" + error + " server=" + name + "(10.48.36.215) depth=" +
         std::to_string(depth);
}

}  // namespace

TEST(Diagnosis, CoreServerLinesByErrorAndDepth) {
  EXPECT_EQ(diagnose_lines({core("cucm.steven.lab", "self signed certificate", 0)}).cause, Cause::SelfSigned);
  EXPECT_EQ(diagnose_lines({core("cucm.steven.lab", "self-signed certificate", 0)}).cause, Cause::SelfSigned) << "OpenSSL 3 text";
  EXPECT_EQ(diagnose_lines({core("cucm.steven.lab", "self signed certificate in certificate chain", 1)}).cause, Cause::UntrustedChain);
  // From the line alone the missing CA could be a root or an intermediate: no guess.
  EXPECT_EQ(diagnose_lines({core("cucm.steven.lab", "unable to get local issuer certificate", 0)}).cause, Cause::UntrustedChain);
  EXPECT_EQ(diagnose_lines({core("cucm.steven.lab", "unable to get local issuer certificate", 1)}).cause, Cause::UntrustedChain);
  EXPECT_EQ(diagnose_lines({core("cucm.steven.lab", "certificate has expired", 0)}).cause, Cause::Expired);
  EXPECT_EQ(diagnose_lines({core("cucm.steven.lab", "certificate is not yet valid", 0)}).cause, Cause::NotYetValid);
  auto other = diagnose_lines({core("cucm.steven.lab", "unsupported certificate purpose", 0)});
  EXPECT_EQ(other.cause, Cause::TlsFailure);
  EXPECT_EQ(other.summary, "certificate of cucm.steven.lab refused: unsupported certificate purpose");
  EXPECT_EQ(diagnose_lines({core("cucm.steven.lab", "self signed certificate", 0)}).summary, "self-signed certificate on cucm.steven.lab");
}

TEST(Diagnosis, SniLinesTellAnIpFromAName) {
  auto ip = diagnose_lines({"[ET_NET 2] WARNING: SNI (10.48.36.215) not in certificate. Action=Terminate server=10.48.36.215(10.48.36.215)"});
  EXPECT_EQ(ip.cause, Cause::IpNotInCertificate);
  EXPECT_NE(ip.summary.find("10.48.36.215"), std::string::npos);
  auto v6 = diagnose_lines({"[ET_NET 2] WARNING: SNI (fd00::215) not in certificate. Action=Terminate server=fd00::215(fd00::215)"});
  EXPECT_EQ(v6.cause, Cause::IpNotInCertificate);
  auto name = diagnose_lines({"[ET_NET 0] WARNING: SNI (cucm.steven.lab) not in certificate. Action=Continue server=cucm.steven.lab(10.0.0.1)"});
  EXPECT_EQ(name.cause, Cause::NameNotInCertificate);
  EXPECT_EQ(name.summary, "cucm.steven.lab is not a name in its certificate");
}

TEST(Diagnosis, OtherSignaturesAndLookAlikes) {
  EXPECT_EQ(diagnose_lines({"[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': error:14094418:SSL "
                      "routines:ssl3_read_bytes:tlsv1 alert unknown ca"})
                .cause,
            Cause::ClientCertRejected);
  EXPECT_EQ(diagnose_lines({}).cause, Cause::None);
  // Truncated or reworded lines are not taken for verification failures.
  EXPECT_NE(diagnose_lines({"[ET_NET 0] WARNING: Core server certificate verification failed for (cucm.steven.lab"}).cause,
            Cause::SelfSigned);
  EXPECT_NE(diagnose_lines({"WARNING: SNI (cucm.steven.lab) is in certificate"}).cause, Cause::NameNotInCertificate);
  EXPECT_TRUE(is_verification_failure(Cause::SelfSigned));
  EXPECT_FALSE(is_verification_failure(Cause::ClientCertRejected));
  EXPECT_FALSE(is_verification_failure(Cause::Denied));
}

TEST(OutcomeText, ValuesCarryWhatTheLinesSay) {
  auto chain = scan::outcome_of({core("cucm.steven.lab", "unable to get local issuer certificate", 1)});
  ASSERT_TRUE(chain && std::holds_alternative<verify::ChainRefused>(*chain));
  const auto& c = std::get<verify::ChainRefused>(*chain);
  EXPECT_EQ(c.name, "cucm.steven.lab");
  EXPECT_EQ(c.x509_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_EQ(c.depth, 1);
  auto native = scan::outcome_of({core("cucm.steven.lab", "self-signed certificate in certificate chain", 1)});
  EXPECT_EQ(std::get<verify::ChainRefused>(*native).x509_error, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) << "OpenSSL 3 text";
  // The SSL ERROR line that follows a verification line does not hide it.
  auto first = scan::outcome_of({"[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': error:1416F086:SSL "
                                 "routines:tls_process_server_certificate:certificate verify failed",
                                 core("cucm.steven.lab", "certificate has expired", 0)});
  EXPECT_TRUE(std::holds_alternative<verify::ChainRefused>(*first));
  auto alone = scan::outcome_of({"[ET_NET 0] ERROR: SSL connection failed for 'imp.lab': error:14094410:SSL "
                                 "routines:ssl3_read_bytes:sslv3 alert handshake failure"});
  ASSERT_TRUE(alone && std::holds_alternative<verify::HandshakeFailed>(*alone));
  EXPECT_EQ(std::get<verify::HandshakeFailed>(*alone).name, "imp.lab");
  EXPECT_EQ(diagnose_lines({"... Event=\"Request Denied\" Detail=\"Access denied\""}).cause, Cause::Denied);
}

TEST(FixCatalogue, OutcomesMadeByTheProxyExplainAsTheirLinesDo) {
  EXPECT_EQ(verify::explain(verify::ChainRefused{"cucm.lab", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, "self signed certificate"}).cause,
            Cause::SelfSigned);
  EXPECT_EQ(verify::explain(verify::ChainRefused{"cucm.lab", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0, ""}).cause,
            Cause::UntrustedChain);
  EXPECT_EQ(verify::explain(verify::NameNotInCertificate{"10.0.0.5", true}).cause, Cause::IpNotInCertificate);
  EXPECT_EQ(verify::explain(verify::ClientCertificateRefused{"cucm.lab"}).cause, Cause::ClientCertRejected);
  EXPECT_EQ(verify::explain(verify::NetworkFailure{"cucm.lab:8443", "Connection refused"}).cause, Cause::ConnectFailure);
  EXPECT_EQ(verify::explain(verify::OriginTimeout{"cucm.lab:8443"}).cause, Cause::OriginTimeout);
  EXPECT_EQ(verify::explain(verify::HandshakeFailed{"cucm.lab", "x"}).fix,
            "Check that cucm.lab listens with TLS on this port and shares a TLS version and a cipher suite with Expressway-C "
            "(this fails before X14.2 too): x");
  EXPECT_STREQ(verify::to_string(Cause::UntrustedChain), "untrusted-ca");
}
