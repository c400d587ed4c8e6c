// cert match: the CA that added www., the one that dropped a SAN, the regenerated CSR, and
// the certificate that does belong to its CSR; SANs compared as sets.
#include <gtest/gtest.h>

#include "lab/pki.hpp"
#include "verify/doctor/csr_match.hpp"

using namespace mratls;
using namespace mratls::verify::doctor;

namespace {

struct Signed {
  RequestFacts request;
  CertificateFacts certificate;
};

// A CSR for `requested` SANs signed with `csr_key`, and what a CA returned: `issued` SANs on
// `cert_key`.
Signed sign(const std::vector<std::string>& requested, const std::vector<std::string>& issued, EVP_PKEY* csr_key,
            const ossl::PKeyPtr& cert_key, std::vector<std::pair<std::string, std::string>> issued_fields = {{"O", "mratls lab"}}) {
  static const auto ca = lab::make_ca("Match Test CA");
  lab::CertSpec asked;
  asked.common_name = "cucm.steven.lab";
  asked.dns_sans = requested;
  auto csr = lab::make_csr(asked, csr_key);
  lab::CertSpec returned = asked;
  returned.dns_sans = issued;
  returned.subject_fields = std::move(issued_fields);
  auto cert = lab::issue(returned, &ca, ossl::up_ref(cert_key.get()));
  return {request_facts(csr.get()), certificate_facts(cert.cert.get())};
}

}  // namespace

TEST(CsrMatch, CaThatAddedWwwIsASanMismatchAndSaysSo) {
  auto key = lab::shared_key(lab::KeyType::Rsa2048);
  auto s = sign({"cucm.steven.lab"}, {"cucm.steven.lab", "www.cucm.steven.lab"}, key.get(), key);
  auto r = match(s.request, s.certificate);
  EXPECT_TRUE(r.key_matches);
  EXPECT_FALSE(r.sans.matches());
  EXPECT_EQ(r.sans.added_by_ca, std::vector<std::string>{"DNS:www.cucm.steven.lab"});
  EXPECT_TRUE(r.sans.missing_from_certificate.empty());
  EXPECT_EQ(r.sans.explanations, std::vector<std::string>{"DNS:www.cucm.steven.lab: the CA prefixed www. to cucm.steven.lab"});
  EXPECT_EQ(r.mismatches, std::vector<std::string>{"CSR SAN and Certificate SAN does not match"});
}

TEST(CsrMatch, CaThatAddedTheParentDomain) {
  auto key = lab::shared_key(lab::KeyType::Rsa2048);
  auto s = sign({"cucm.steven.lab"}, {"cucm.steven.lab", "steven.lab"}, key.get(), key);
  auto r = match(s.request, s.certificate);
  EXPECT_EQ(r.sans.added_by_ca, std::vector<std::string>{"DNS:steven.lab"});
  EXPECT_EQ(r.sans.explanations, std::vector<std::string>{"DNS:steven.lab: the CA added the parent domain of cucm.steven.lab"});
  EXPECT_FALSE(r.matches());
}

TEST(CsrMatch, CaThatDroppedASan) {
  auto key = lab::shared_key(lab::KeyType::Rsa2048);
  auto s = sign({"cucm.steven.lab", "cucm-sub1.steven.lab"}, {"cucm.steven.lab"}, key.get(), key);
  auto r = match(s.request, s.certificate);
  EXPECT_EQ(r.sans.missing_from_certificate, std::vector<std::string>{"DNS:cucm-sub1.steven.lab"});
  EXPECT_TRUE(r.sans.added_by_ca.empty());
  EXPECT_EQ(r.mismatches, std::vector<std::string>{kSanMismatchText});
}

TEST(CsrMatch, RegeneratedCsrIsAKeyMismatch) {
  auto old_key = lab::generate_key(lab::KeyType::Rsa2048);
  auto new_key = lab::shared_key(lab::KeyType::Rsa2048);
  // The certificate was issued for the old CSR; the engineer holds the regenerated one.
  auto s = sign({"cucm.steven.lab"}, {"cucm.steven.lab"}, new_key.get(), old_key);
  auto r = match(s.request, s.certificate);
  EXPECT_FALSE(r.key_matches);
  EXPECT_NE(r.request_key.modulus_md5, r.certificate_key.modulus_md5);
  EXPECT_TRUE(r.sans.matches());
  EXPECT_EQ(r.mismatches, std::vector<std::string>{"CSR public key and certificate public key does not match"});
}

TEST(CsrMatch, SameKeySameSansInAnotherOrderAndCaseMatches) {
  auto key = lab::shared_key(lab::KeyType::Rsa2048);
  auto s = sign({"cucm.steven.lab", "cucm-sub1.steven.lab"}, {"CUCM-SUB1.steven.lab", "cucm.steven.lab"}, key.get(), key);
  auto r = match(s.request, s.certificate);
  EXPECT_TRUE(r.matches()) << (r.mismatches.empty() ? "" : r.mismatches.front());
  EXPECT_EQ(r.request_key.modulus_md5, r.certificate_key.modulus_md5);
  EXPECT_EQ(r.sans.common.size(), 2u);
}

TEST(CsrMatch, SubjectIsComparedFieldByFieldAndOnlyTheCnDecides) {
  auto key = lab::shared_key(lab::KeyType::Rsa2048);
  auto s = sign({"cucm.steven.lab"}, {"cucm.steven.lab"}, key.get(), key, {{"O", "Steven Lab"}, {"OU", "Collab"}});
  auto r = match(s.request, s.certificate);
  ASSERT_EQ(r.subject.size(), 3u);
  EXPECT_EQ(r.subject[0].field, "O");
  EXPECT_FALSE(r.subject[0].equal);
  EXPECT_EQ(r.subject[0].request, std::vector<std::string>{"mratls lab"});
  EXPECT_EQ(r.subject[0].certificate, std::vector<std::string>{"Steven Lab"});
  EXPECT_EQ(r.subject[1].field, "CN");
  EXPECT_TRUE(r.subject[1].equal);
  EXPECT_EQ(r.subject[2].field, "OU");
  EXPECT_TRUE(r.subject[2].request.empty());
  EXPECT_TRUE(r.matches());

  RequestFacts request = s.request;
  request.subject.back().value = "cucm-old.steven.lab";
  auto renamed = match(request, s.certificate);
  EXPECT_FALSE(renamed.common_name_matches);
  EXPECT_EQ(renamed.mismatches, std::vector<std::string>{"CSR subject CN and certificate subject CN differ"});
}

TEST(CsrMatch, IpSansCompareAsIpSans) {
  auto c = compare_sans({"cucm.steven.lab"}, {"10.48.36.215"}, {"cucm.steven.lab", "10.48.36.215"}, {});
  EXPECT_EQ(c.missing_from_certificate, std::vector<std::string>{"IP:10.48.36.215"});
  EXPECT_EQ(c.added_by_ca, std::vector<std::string>{"DNS:10.48.36.215"});
  EXPECT_TRUE(compare_sans({}, {"10.48.36.215"}, {}, {"10.48.36.215"}).matches());
}
