// Every generated certificate has the properties asked for, read back from the certificate.
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "lab/pki.hpp"
#include "lab/scenarios.hpp"
#include "verify/certificate_names.hpp"

using namespace mratls;
using namespace std::chrono;

namespace {
std::string name_entry(X509_NAME* name, int nid) {
  char buf[256] = {};
  X509_NAME_get_text_by_NID(name, nid, buf, sizeof buf);
  return buf;
}
long days_from_now(const ASN1_TIME* t) {
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, nullptr, t);
  return days;
}
}  // namespace

TEST(Pki, RsaLeafHasItsNamesKeyAndValidity) {
  const auto& ca = lab::LabAuthorities::shared();
  lab::CertSpec spec;
  spec.common_name = "cucm.steven.lab";
  spec.dns_sans = {"cucm.steven.lab", "10.48.36.215"};
  spec.ip_sans = {"10.48.36.215"};
  spec.not_after = hours(24 * 30);
  auto leaf = lab::issue(spec, &ca.root);
  X509* cert = leaf.cert.get();
  EXPECT_EQ(name_entry(X509_get_subject_name(cert), NID_commonName), "cucm.steven.lab");
  EXPECT_EQ(name_entry(X509_get_issuer_name(cert), NID_commonName), "mratls Lab Root CA");
  auto names = verify::certificate_names(cert);
  EXPECT_EQ(names.dns_sans, spec.dns_sans);
  EXPECT_EQ(names.ip_sans, spec.ip_sans);
  EXPECT_EQ(EVP_PKEY_base_id(X509_get0_pubkey(cert)), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_bits(X509_get0_pubkey(cert)), 2048);
  EXPECT_EQ(X509_verify(cert, X509_get0_pubkey(ca.root.cert.get())), 1) << "signed by the root";
  EXPECT_NEAR(days_from_now(X509_get0_notAfter(cert)), 30, 1);
  EXPECT_EQ(X509_check_ca(cert), 0);
  EXPECT_TRUE(X509_get_extended_key_usage(cert) & XKU_SSL_SERVER);
}

TEST(Pki, EcdsaSelfSignedLeaf) {
  lab::CertSpec spec;
  spec.common_name = "cucm-EC.steven.lab";
  spec.key_type = lab::KeyType::EcdsaP256;
  auto leaf = lab::issue(spec, nullptr);
  X509* cert = leaf.cert.get();
  EXPECT_EQ(EVP_PKEY_base_id(X509_get0_pubkey(cert)), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_bits(X509_get0_pubkey(cert)), 256);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)), 0) << "self-issued";
  EXPECT_EQ(X509_verify(cert, X509_get0_pubkey(cert)), 1);
}

TEST(Pki, ExpiredAndNotYetValid) {
  lab::CertSpec expired;
  expired.common_name = "old";
  expired.not_before = -hours(48);
  expired.not_after = -hours(24);
  auto e = lab::issue(expired, nullptr);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notAfter(e.cert.get())), 0);
  lab::CertSpec future;
  future.common_name = "new";
  future.not_before = hours(24);
  auto f = lab::issue(future, nullptr);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notBefore(f.cert.get())), 0);
}

TEST(Pki, CasAndIntermediates) {
  const auto& ca = lab::LabAuthorities::shared();
  EXPECT_EQ(X509_check_ca(ca.root.cert.get()), 1);
  EXPECT_EQ(X509_check_ca(ca.intermediate.cert.get()), 1);
  EXPECT_EQ(X509_check_issued(ca.root.cert.get(), ca.intermediate.cert.get()), X509_V_OK);
  EXPECT_NE(X509_check_issued(ca.other_root.cert.get(), ca.intermediate.cert.get()), X509_V_OK);
  EXPECT_EQ(name_entry(X509_get_subject_name(ca.intermediate.cert.get()), NID_commonName), "mratls Lab Issuing CA");
}

TEST(Pki, PemRoundTrip) {
  lab::CertSpec spec;
  spec.common_name = "pem.steven.lab";
  auto leaf = lab::issue(spec, nullptr);
  auto pem = leaf.cert_pem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_TRUE(leaf.key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
}

TEST(Pki, CsrCarriesSubjectSansAndKey) {
  lab::CertSpec spec;
  spec.common_name = "cucm.steven.lab";
  spec.dns_sans = {"cucm.steven.lab", "cucm"};
  auto key = lab::shared_key(lab::KeyType::Rsa2048);
  auto csr = lab::make_csr(spec, key.get());
  EXPECT_EQ(name_entry(X509_REQ_get_subject_name(csr.get()), NID_commonName), "cucm.steven.lab");
  EXPECT_EQ(X509_REQ_verify(csr.get(), key.get()), 1);
  EXPECT_EQ(EVP_PKEY_eq(X509_REQ_get0_pubkey(csr.get()), key.get()), 1);
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(csr.get());
  ASSERT_NE(exts, nullptr);
  auto* sans = static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts, NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(sans, nullptr);
  EXPECT_EQ(sk_GENERAL_NAME_num(sans), 2);
  GENERAL_NAMES_free(sans);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  EXPECT_TRUE(lab::to_pem(csr.get()).starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
}
