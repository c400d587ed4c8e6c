// The OpenSSL helpers every reader shares: PEM certificates read to the end or to the damage.
#include <gtest/gtest.h>

#include "lab/pki.hpp"
#include "verify/ossl.hpp"

using namespace mratls;

namespace {

lab::Issued leaf(const std::string& cn) {
  lab::CertSpec spec;
  spec.common_name = cn;
  return lab::issue(spec, nullptr, lab::generate_key(lab::KeyType::EcdsaP256));
}

}  // namespace

TEST(PemCertificates, AllOfThemInOrder) {
  auto a = leaf("a.lab");
  auto b = leaf("b.lab");
  auto read = ossl::read_pem_certificates("junk before\n" + a.cert_pem() + "between\n" + b.cert_pem());
  EXPECT_FALSE(read.broken);
  ASSERT_EQ(read.certificates.size(), 2u);
  EXPECT_EQ(X509_cmp(read.certificates[1].get(), b.cert.get()), 0);
  EXPECT_TRUE(ossl::read_pem_certificates("").certificates.empty());
  EXPECT_FALSE(ossl::read_pem_certificates("").broken);
}

TEST(PemCertificates, ADamagedBlockStopsTheReadingAndSaysSo) {
  auto a = leaf("a.lab");
  auto damaged = leaf("b.lab").cert_pem();
  damaged[40] = '!';
  auto read = ossl::read_pem_certificates(a.cert_pem() + damaged);
  EXPECT_TRUE(read.broken);
  EXPECT_EQ(read.certificates.size(), 1u);
}

TEST(OsslText, Utf8AndMemoryBios) {
  auto cert = leaf("café.lab");
  const X509_NAME* subject = X509_get_subject_name(cert.cert.get());
  const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  auto cn = ossl::utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  ASSERT_TRUE(cn);
  EXPECT_EQ(*cn, "café.lab");
  EXPECT_EQ(ossl::to_pem(cert.cert.get()), cert.cert_pem());
  ossl::BioPtr empty(BIO_new(BIO_s_mem()));
  EXPECT_EQ(ossl::drain(empty.get()), "");
}
