// What the certificate doctor reads from certificates and CSRs: checked against values the
// `openssl` command line computed (tests/certificates/README.md) and against generated inputs.
#include <gtest/gtest.h>

#include "lab/pki.hpp"
#include "verify/certificate_file.hpp"
#include "verify/doctor/certificate_facts.hpp"

using namespace mratls;
using namespace mratls::verify::doctor;

namespace {
const std::string kDir = std::string(MRATLS_SOURCE_DIR) + "/tests/certificates/";
}  // namespace

TEST(DoctorFacts, KeyFingerprintsAreTheOnesEngineersComputeWithOpenssl) {
  auto certs = verify::read_certificates(kDir + "openssl-cli-rsa.pem");
  ASSERT_TRUE(certs) << certs.error();
  auto f = certificate_facts(certs->front().get());
  EXPECT_EQ(f.key.modulus_md5, "e85159d4a28b4d2d060bbd62f8379c0f");
  EXPECT_EQ(f.key.sha256, "8a4940042ae0c0abb8e76e8d54dae96ae4d1a98c0b4e05011acd73260be276f1");
  EXPECT_EQ(f.sha256_fingerprint,
            "05:F0:E0:38:B2:C4:89:B5:05:4D:8D:67:C6:72:CB:9C:91:9E:EF:EB:E1:84:2D:1E:12:B5:AA:37:CD:74:74:7F");
  EXPECT_EQ(f.key.type, "RSA");
  EXPECT_EQ(f.key.bits, 2048);
  EXPECT_EQ(f.subject, (std::vector<NameField>{{"C", "BE"}, {"O", "mratls fixtures"}, {"CN", "cucm-fixture.steven.lab"}}));
  EXPECT_EQ(f.dns_sans, std::vector<std::string>{"cucm-fixture.steven.lab"});
  EXPECT_TRUE(f.self_signed);

  auto csr = verify::read_request(kDir + "openssl-cli-rsa.csr");
  ASSERT_TRUE(csr) << csr.error();
  auto r = request_facts(csr->get());
  EXPECT_EQ(r.key.modulus_md5, "e85159d4a28b4d2d060bbd62f8379c0f");
  EXPECT_EQ(r.key.sha256, f.key.sha256);
  EXPECT_TRUE(r.signature_valid);
  EXPECT_TRUE(r.dns_sans.empty());
}

TEST(DoctorFacts, GeneratedCertificateReadsBackAsSpecified) {
  auto ca = lab::make_ca("Facts Root");
  lab::CertSpec spec;
  spec.common_name = "cucm-EC.steven.lab";
  spec.subject_fields = {{"O", "Steven Lab"}, {"OU", "Collab"}};
  spec.dns_sans = {"cucm-EC.steven.lab"};
  spec.ip_sans = {"10.48.36.215"};
  spec.key_type = lab::KeyType::EcdsaP256;
  spec.ext_key_usage = "clientAuth";
  spec.digest = lab::Digest::Sha1;
  spec.extra_extensions = {{NID_certificate_policies, "critical,2.5.29.32.0"}};
  auto leaf = lab::issue(spec, &ca);
  auto f = certificate_facts(leaf.cert.get());
  EXPECT_EQ(f.key.type, "ECDSA");
  EXPECT_EQ(f.key.curve, "prime256v1");
  EXPECT_TRUE(f.key.modulus_md5.empty());
  EXPECT_EQ(f.signature_digest, "SHA1");
  EXPECT_EQ(f.signature_algorithm, "sha1WithRSAEncryption") << "the RSA CA signs the ECDSA leaf";
  EXPECT_EQ(f.extended_key_usage, std::vector<std::string>{"clientAuth"});
  EXPECT_TRUE(f.has_extended_key_usage);
  EXPECT_EQ(f.ip_sans, std::vector<std::string>{"10.48.36.215"});
  EXPECT_FALSE(f.is_ca);
  EXPECT_FALSE(f.self_signed);
  EXPECT_EQ(f.issuer_text, "CN=Facts Root,O=mratls lab");
  bool policies_critical = false;
  for (const auto& e : f.extensions)
    if (e.short_name == "certificatePolicies") policies_critical = e.critical;
  EXPECT_TRUE(policies_critical);
  EXPECT_EQ(f.authority_key_id, certificate_facts(ca.cert.get()).subject_key_id);
  EXPECT_FALSE(f.authority_key_id.empty());
}

TEST(DoctorFacts, CsrNamesComeFromItsRequestedExtensions) {
  lab::CertSpec spec;
  spec.common_name = "imp.steven.lab";
  spec.dns_sans = {"imp.steven.lab", "steven.lab"};
  spec.ip_sans = {"10.48.36.216"};
  auto key = lab::shared_key(lab::KeyType::Rsa2048);
  auto csr = lab::make_csr(spec, key.get());
  auto r = request_facts(csr.get());
  EXPECT_EQ(r.dns_sans, spec.dns_sans);
  EXPECT_EQ(r.ip_sans, spec.ip_sans);
  EXPECT_EQ(r.first_cn, "imp.steven.lab");
  EXPECT_TRUE(r.signature_valid);
  EXPECT_EQ(r.key.bits, 2048);
}

TEST(DoctorFacts, CertificateAndCsrFilesAreToldApart) {
  auto as_request = verify::read_request(kDir + "openssl-cli-rsa.pem");
  ASSERT_FALSE(as_request);
  EXPECT_NE(as_request.error().find("this is a certificate, not a certificate signing request"), std::string::npos);
  auto as_certificate = verify::read_certificates(kDir + "openssl-cli-rsa.csr");
  ASSERT_FALSE(as_certificate);
  EXPECT_NE(as_certificate.error().find("this is a certificate signing request, not a certificate"), std::string::npos);
  auto garbage = verify::parse_request("not a CSR", "x.csr");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error(), "x.csr: no certificate signing request found (expected PEM or DER)");
  auto broken = verify::parse_request("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "y.csr");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error(), "y.csr: broken PEM certificate request");
}
