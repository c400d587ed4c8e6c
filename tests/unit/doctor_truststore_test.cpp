// cert truststore: one certificate per CN, CUCM's older-start-date rule, validity, non-CA
// entries, and chains built from the store with the missing certificate named.
#include <gtest/gtest.h>

#include <algorithm>

#include "lab/pki.hpp"
#include "verify/doctor/trust_store_audit.hpp"

using namespace mratls;
using namespace mratls::verify::doctor;
using namespace std::chrono;

namespace {

StoreEntry entry(const std::string& source, const lab::Issued& issued) { return {source, certificate_facts(issued.cert.get())}; }

lab::Issued self_signed(const std::string& cn, seconds not_before = -hours(1)) {
  lab::CertSpec spec;
  spec.common_name = cn;
  spec.dns_sans = {cn};
  spec.not_before = not_before;
  return lab::issue(spec, nullptr, lab::generate_key(lab::KeyType::EcdsaP256));
}

std::vector<std::string> rules(const std::vector<StoreFinding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.rule);
  return out;
}

struct Pki {
  lab::Issued root = lab::make_ca("Store Root CA");
  lab::Issued intermediate = lab::make_ca("Store Issuing CA", &root);
  lab::Issued leaf = [this] {
    lab::CertSpec spec;
    spec.common_name = "cucm.steven.lab";
    spec.dns_sans = {"cucm.steven.lab"};
    return lab::issue(spec, &intermediate);
  }();
};

const Pki& pki() {
  static const Pki p;
  return p;
}

}  // namespace

TEST(TrustStoreAudit, TwoSelfSignedCertificatesWithTheSameCn) {
  // CUCM's CallManager and tomcat self-signed certificates of one node, both named after it.
  auto callmanager = self_signed("cucm.steven.lab", -hours(2));
  auto tomcat = self_signed("cucm.steven.lab", -hours(24 * 3));
  std::vector<StoreEntry> store{entry("callmanager.pem", callmanager), entry("tomcat.pem", tomcat)};
  auto findings = audit(store, std::time(nullptr));
  EXPECT_EQ(rules(findings), (std::vector<std::string>{"not-a-ca", "not-a-ca", "duplicate-cn", "cucm-older-start-date"}));
  const auto& dup = findings[2];
  EXPECT_EQ(dup.severity, Severity::Error);
  EXPECT_EQ(dup.entries, (std::vector<std::size_t>{0, 1}));
  EXPECT_NE(dup.message.find("2 certificates share CN cucm.steven.lab: Expressway keeps one certificate per CN"),
            std::string::npos);
  // The entries named as themselves, not by their issuer.
  EXPECT_NE(dup.message.find("callmanager.pem (" + store[0].facts.subject_text + ", SHA-256 " + store[0].facts.sha256_fingerprint),
            std::string::npos)
      << dup.message;
  EXPECT_NE(findings[3].message.find("tomcat.pem does not replace callmanager.pem on CUCM"), std::string::npos)
      << findings[3].message;
  EXPECT_EQ(findings[0].severity, Severity::Note) << "a self-signed node certificate in the store is allowed";

  // Uploaded the other way round, the newer one replaces the older: no CUCM finding.
  std::vector<StoreEntry> reversed{entry("tomcat.pem", tomcat), entry("callmanager.pem", callmanager)};
  EXPECT_EQ(std::ranges::count(rules(audit(reversed, std::time(nullptr))), "cucm-older-start-date"), 0);
}

TEST(TrustStoreAudit, TheSameCertificateTwiceIsNotADuplicateCn) {
  auto a = self_signed("imp.steven.lab");
  std::vector<StoreEntry> store{entry("a.pem", a), entry("b.pem", a)};
  auto r = rules(audit(store, std::time(nullptr)));
  EXPECT_EQ(std::ranges::count(r, "duplicate-entry"), 1);
  EXPECT_EQ(std::ranges::count(r, "duplicate-cn"), 0);
}

TEST(TrustStoreAudit, ExpiredNotYetValidAndNonCaEntries) {
  lab::CertSpec old_ca;
  old_ca.common_name = "Old Root";
  old_ca.is_ca = true;
  old_ca.not_before = -hours(48);
  old_ca.not_after = -hours(24);
  lab::CertSpec future_ca = old_ca;
  future_ca.common_name = "Future Root";
  future_ca.not_before = hours(24);
  future_ca.not_after = hours(48);
  std::vector<StoreEntry> store{entry("old.pem", lab::issue(old_ca, nullptr)), entry("future.pem", lab::issue(future_ca, nullptr)),
                                entry("leaf.pem", pki().leaf), entry("root.pem", pki().root)};
  auto findings = audit(store, std::time(nullptr));
  EXPECT_EQ(rules(findings), (std::vector<std::string>{"expired", "not-yet-valid", "not-a-ca"}));
  EXPECT_EQ(findings[2].severity, Severity::Warning) << "a CA-signed leaf anchors nothing";
  EXPECT_EQ(findings[2].entries, std::vector<std::size_t>{2});
}

TEST(TrustStoreAudit, ChainWithTheIntermediateMissing) {
  std::vector<StoreEntry> store{entry("root.pem", pki().root)};
  auto chain = build_chain(entry("cucm.pem", pki().leaf), {}, store);
  EXPECT_FALSE(chain.buildable);
  ASSERT_TRUE(chain.missing_subject);
  EXPECT_EQ(*chain.missing_subject, "CN=Store Issuing CA,O=mratls lab");
  EXPECT_EQ(chain.missing_key_id, certificate_facts(pki().intermediate.cert.get()).subject_key_id);
  EXPECT_NE(chain.explanation.find("unable to get local issuer certificate"), std::string::npos);
  ASSERT_EQ(chain.path.size(), 1u);
}

TEST(TrustStoreAudit, ChainBuiltFromTheStoreOrWithWhatTheOriginSends) {
  std::vector<StoreEntry> full{entry("root.pem", pki().root), entry("issuing.pem", pki().intermediate)};
  auto chain = build_chain(entry("cucm.pem", pki().leaf), {}, full);
  EXPECT_TRUE(chain.buildable) << chain.explanation;
  ASSERT_EQ(chain.path.size(), 3u);
  EXPECT_EQ(chain.path[1].source, "issuing.pem");
  EXPECT_EQ(chain.path[2].source, "root.pem");

  std::vector<StoreEntry> root_only{entry("root.pem", pki().root)};
  auto sent = build_chain(entry("cucm.pem", pki().leaf), {certificate_facts(pki().intermediate.cert.get())}, root_only);
  EXPECT_TRUE(sent.buildable) << sent.explanation;
  EXPECT_EQ(sent.path[1].source, "sent by the origin");
}

TEST(TrustStoreAudit, UntrustedRootAndSelfSignedLeaf) {
  std::vector<StoreEntry> store{entry("issuing.pem", pki().intermediate)};
  auto chain = build_chain(entry("cucm.pem", pki().leaf), {certificate_facts(pki().root.cert.get())}, store);
  EXPECT_FALSE(chain.buildable) << "an intermediate in the store is not an anchor without its root";
  EXPECT_EQ(chain.missing_subject, "CN=Store Root CA,O=mratls lab");
  EXPECT_NE(chain.explanation.find("self signed certificate in certificate chain"), std::string::npos) << chain.explanation;

  auto node = self_signed("cups.steven.lab");
  EXPECT_TRUE(build_chain(entry("cups.pem", node), {}, {entry("store.pem", node)}).buildable);
  auto alone = build_chain(entry("cups.pem", node), {}, {});
  EXPECT_FALSE(alone.buildable);
  EXPECT_NE(alone.explanation.find("('self signed certificate')"), std::string::npos);
}

TEST(TrustStoreAudit, SameCnGroupsIgnoreCaseAndSetCopiesApart) {
  auto tomcat = self_signed("cucm.steven.lab");
  auto callmanager = self_signed("CUCM.steven.lab");
  auto other = self_signed("imp.steven.lab");
  std::vector<StoreEntry> store{entry("tomcat.pem", tomcat), entry("other.pem", other), entry("cm.pem", callmanager),
                                entry("tomcat-again.pem", tomcat)};
  auto groups = same_cn_groups(store);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].cn, "cucm.steven.lab");
  EXPECT_EQ(groups[0].distinct, (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(groups[0].copies, (std::vector<std::pair<std::size_t, std::size_t>>{{3, 0}}));
  EXPECT_TRUE(same_cn_groups({entry("tomcat.pem", tomcat), entry("other.pem", other)}).empty());
}

// What `serve`, `--check-config` and `check` refuse: a store the appliance could not hold.
TEST(TrustStoreAudit, OneCnRefusalNamesBothEntriesAndTheBug) {
  auto tomcat = self_signed("cucm.steven.lab");
  auto callmanager = self_signed("CUCM.steven.lab");
  auto other = self_signed("imp.steven.lab");
  EXPECT_FALSE(one_cn_refusal({entry("tomcat.pem", tomcat), entry("tomcat-again.pem", tomcat), entry("imp.pem", other)}));
  auto refusal = one_cn_refusal({entry("imp.pem", other), entry("tomcat.pem", tomcat), entry("cm.pem#2", callmanager)});
  ASSERT_TRUE(refusal);
  const auto t = certificate_facts(tomcat.cert.get());
  const auto c = certificate_facts(callmanager.cert.get());
  EXPECT_EQ(*refusal, "tomcat.pem (" + t.subject_text + ", SHA-256 " + t.sha256_fingerprint + ") and cm.pem#2 (" +
                          c.subject_text + ", SHA-256 " + c.sha256_fingerprint +
                          ") are different certificates with CN cucm.steven.lab: Expressway refuses to upload a "
                          "certificate whose CN is already in its trust store (CSCwa12905), so this store cannot exist "
                          "on the appliance; keep one of them, or give the nodes' certificates distinct CNs");
}
