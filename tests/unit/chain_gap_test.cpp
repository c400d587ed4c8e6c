// Where a refused chain breaks, from the chain sent and the store: each case of "unable to get
// local issuer certificate" gets its own cause and a fix on the right box.
#include <gtest/gtest.h>

#include <openssl/x509_vfy.h>

#include "lab/pki.hpp"
#include "verify/doctor/chain_gap.hpp"
#include "verify/fix_catalogue.hpp"

using namespace mratls;
using namespace mratls::verify;
using namespace mratls::verify::doctor;
using Kind = ChainGap::Kind;

namespace {

struct GapPki {
  lab::Issued root = lab::make_ca("Gap Root CA");
  lab::Issued rekeyed_root = lab::make_ca("Gap Root CA");  // the same name, a new key
  lab::Issued intermediate = lab::make_ca("Gap Issuing CA", &root);
  lab::Issued leaf_of_root = leaf("cucm.gap.lab", root);
  lab::Issued leaf_of_intermediate = leaf("cucm.gap.lab", intermediate);
  lab::Issued leaf_of_rekeyed = leaf("cucm.gap.lab", rekeyed_root);
  lab::Issued self_signed = leaf("cucm.gap.lab", std::nullopt);
  lab::Issued self_signed_again = leaf("cucm.gap.lab", std::nullopt);

  static lab::Issued leaf(const std::string& cn, std::optional<std::reference_wrapper<const lab::Issued>> ca) {
    lab::CertSpec spec;
    spec.common_name = cn;
    spec.dns_sans = {cn};
    return lab::issue(spec, ca ? &ca->get() : nullptr);
  }
};

const GapPki& gap_pki() {
  static const GapPki p;
  return p;
}

CertificateFacts facts(const lab::Issued& i) { return certificate_facts(i.cert.get()); }
StoreEntry gap_entry(const std::string& source, const lab::Issued& i) { return {source, facts(i)}; }

std::optional<ChainGap> gap(std::vector<const lab::Issued*> sent, std::vector<const lab::Issued*> store) {
  std::vector<CertificateFacts> s;
  for (const auto* c : sent) s.push_back(facts(*c));
  std::vector<StoreEntry> st;
  for (const auto* c : store) st.push_back(gap_entry(c->cert ? "ca" + std::to_string(st.size()) + ".pem" : "?", *c));
  return find_chain_gap(s, st);
}

}  // namespace

TEST(ChainGap, ALeafSentAloneWithoutItsIssuerInTheStoreNamesTheIssuerNotAnIntermediate) {
  const auto& p = gap_pki();
  // The node sends its CA-signed certificate alone; the store is empty: nothing says the
  // missing CA is an intermediate, so the verdict must not call it one.
  auto g = gap({&p.leaf_of_root}, {});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, Kind::IssuerNotTrusted);
  EXPECT_EQ(g->missing, "Gap Root CA");
  EXPECT_EQ(g->missing_key_id, facts(p.root).subject_key_id);
  auto d = explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0, "", g});
  EXPECT_EQ(d.cause, Cause::UntrustedChain);
  EXPECT_NE(d.fix.find("Upload the CA certificate 'Gap Root CA' (key id " + facts(p.root).subject_key_id + ")"), std::string::npos)
      << d.fix;
  EXPECT_EQ(d.summary.find("intermediate"), std::string::npos) << d.summary;
}

TEST(ChainGap, AStoreHoldingTheNameWithAnotherKeyIsARekeyedCaWithBothKeyIds) {
  const auto& p = gap_pki();
  auto g = gap({&p.leaf_of_rekeyed}, {&p.root});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, Kind::RekeyedCa);
  EXPECT_EQ(g->missing, "Gap Root CA");
  EXPECT_EQ(g->missing_key_id, facts(p.rekeyed_root).subject_key_id);
  EXPECT_EQ(g->store_key_id, facts(p.root).subject_key_id);
  EXPECT_NE(g->missing_key_id, g->store_key_id);
  auto d = explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0, "", g});
  EXPECT_EQ(d.cause, Cause::RekeyedCa);
  EXPECT_NE(d.summary.find(g->store_key_id), std::string::npos);
  EXPECT_NE(d.summary.find(g->missing_key_id), std::string::npos);
  EXPECT_NE(d.fix.find("replace 'Gap Root CA' (key id " + g->store_key_id + ") (ca0.pem) with 'Gap Root CA' (key id " +
                       g->missing_key_id + ")"),
            std::string::npos)
      << d.fix;
  EXPECT_NE(d.fix.find("if 'Gap Root CA' (key id " + g->store_key_id + ") (ca0.pem) is the current CA"), std::string::npos)
      << "the store may hold the current one: " << d.fix;
}

TEST(ChainGap, ASentRootWithTheStoreHoldingItsOldKeyIsRekeyedToo) {
  const auto& p = gap_pki();
  auto g = gap({&p.leaf_of_rekeyed, &p.rekeyed_root}, {&p.root});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, Kind::RekeyedCa);
  EXPECT_EQ(g->missing_key_id, facts(p.rekeyed_root).subject_key_id);
}

TEST(ChainGap, ARegeneratedSelfSignedNodeCertificateIsRekeyed) {
  const auto& p = gap_pki();
  auto g = gap({&p.self_signed_again}, {&p.self_signed});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, Kind::RekeyedCa);
  EXPECT_EQ(g->certificate, "cucm.gap.lab");
  auto d = explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, "", g});
  EXPECT_EQ(d.cause, Cause::RekeyedCa);
  EXPECT_TRUE(g->node_certificate);
  EXPECT_NE(d.summary.find("presents another self-signed certificate of that name"), std::string::npos) << d.summary;
  // Two current certificates with one CN (tomcat and CallManager) are as likely as a regenerated one.
  EXPECT_NE(d.fix.find("CUCM's tomcat and CallManager share a CN"), std::string::npos) << d.fix;
}

TEST(ChainGap, ASentRootTheStoreLacksIsNamed) {
  const auto& p = gap_pki();
  auto g = gap({&p.leaf_of_intermediate, &p.intermediate, &p.root}, {});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, Kind::RootNotTrusted);
  EXPECT_EQ(g->missing, "Gap Root CA");
}

TEST(ChainGap, CertificatesSentAboveAGapMeanTheNodeLeftOutAnIntermediate) {
  const auto& p = gap_pki();
  // Leaf and root, without the issuing CA between them.
  auto g = gap({&p.leaf_of_intermediate, &p.root}, {&p.root});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, Kind::IntermediateLeftOut);
  EXPECT_EQ(g->missing, "Gap Issuing CA");
  EXPECT_EQ(g->certificate, "cucm.gap.lab");
  auto d = explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0, "", g});
  EXPECT_EQ(d.cause, Cause::MissingIntermediate);
  EXPECT_NE(d.fix.find("Make cucm.gap.lab send its full chain"), std::string::npos) << d.fix;
  EXPECT_TRUE(g->root_also_missing.empty()) << "the store holds the root";
  // With a store that lacks the root too, sending the intermediate alone would not heal it.
  auto bare = gap({&p.leaf_of_intermediate, &p.root}, {});
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->kind, Kind::IntermediateLeftOut);
  EXPECT_EQ(bare->root_also_missing, "'Gap Root CA' (key id " + facts(p.root).subject_key_id + ")");
  auto bare_fix = explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0, "", bare}).fix;
  EXPECT_NE(bare_fix.find("The trust store lacks the root the node sends, 'Gap Root CA'"), std::string::npos) << bare_fix;
}

TEST(ChainGap, ACompleteChainWithoutItsRootNamesTheRoot) {
  const auto& p = gap_pki();
  auto sent_intermediate = gap({&p.leaf_of_intermediate, &p.intermediate}, {});
  ASSERT_TRUE(sent_intermediate);
  EXPECT_EQ(sent_intermediate->kind, Kind::RootOfChainNotTrusted);
  EXPECT_EQ(sent_intermediate->certificate, "Gap Issuing CA");
  EXPECT_EQ(sent_intermediate->missing, "Gap Root CA");
  // The store holds the intermediate but not the root.
  auto stored_intermediate = gap({&p.leaf_of_intermediate}, {&p.intermediate});
  ASSERT_TRUE(stored_intermediate);
  EXPECT_EQ(stored_intermediate->kind, Kind::RootOfChainNotTrusted);
  auto d = explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1, "", sent_intermediate});
  EXPECT_EQ(d.cause, Cause::UntrustedChain);
  EXPECT_NE(d.fix.find("Upload 'Gap Root CA' (key id " + facts(p.root).subject_key_id + ") (the root of this chain"),
            std::string::npos)
      << d.fix;
}

TEST(ChainGap, AnIntermediateBothSentAndStoredIsNotLeftOut) {
  const auto& p = gap_pki();
  // The field's half-done upload: the issuing CA in the store, its root not; the node sends it too.
  auto g = gap({&p.leaf_of_intermediate, &p.intermediate}, {&p.intermediate});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, Kind::RootOfChainNotTrusted);
  EXPECT_EQ(g->missing, "Gap Root CA");
  // A chain file that repeats the leaf does not make anything "left out" either.
  auto repeated = gap({&p.leaf_of_root, &p.leaf_of_root}, {});
  ASSERT_TRUE(repeated);
  EXPECT_EQ(repeated->kind, Kind::IssuerNotTrusted);
}

TEST(ChainGap, AChainThatReachesTheStoreHasNoGap) {
  const auto& p = gap_pki();
  EXPECT_FALSE(gap({&p.leaf_of_intermediate, &p.intermediate}, {&p.root}));
  EXPECT_FALSE(gap({&p.leaf_of_root}, {&p.root}));
  EXPECT_FALSE(gap({&p.self_signed}, {&p.self_signed}));
  EXPECT_FALSE(gap({}, {&p.root}));
}

TEST(ChainGap, FromALogLineAloneTheVerdictDoesNotGuessWhichCaIsMissing) {
  auto d = explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0, "unable to get local issuer certificate"});
  EXPECT_EQ(d.cause, Cause::UntrustedChain);
  EXPECT_EQ(d.summary.find("intermediate"), std::string::npos) << d.summary;
  EXPECT_NE(d.fix.find("with its root if it is an intermediate"), std::string::npos) << d.fix;
}

TEST(ChainGap, AttachedFromOpenSslObjectsOnlyForTheErrorsAGapExplains) {
  const auto& p = gap_pki();
  std::vector<ossl::X509Ptr> anchors;
  anchors.push_back(ossl::X509Ptr(X509_dup(p.root.cert.get())));
  auto trust = TrustStore::from_certificates(std::move(anchors));
  ChainRefused issuer{"cucm.gap.lab", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0, ""};
  attach_chain_gap(issuer, {p.leaf_of_rekeyed.cert.get()}, trust);
  ASSERT_TRUE(issuer.gap);
  EXPECT_EQ(issuer.gap->kind, Kind::RekeyedCa);
  EXPECT_EQ(issuer.gap->store_key_id, facts(p.root).subject_key_id);
  ChainRefused expired{"cucm.gap.lab", X509_V_ERR_CERT_HAS_EXPIRED, 0, ""};
  attach_chain_gap(expired, {p.leaf_of_rekeyed.cert.get()}, trust);
  EXPECT_FALSE(expired.gap);
  // A self-signed certificate the store does not hold at all: the plain self-signed case.
  ChainRefused self{"cucm.gap.lab", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, ""};
  attach_chain_gap(self, {p.self_signed.cert.get()}, trust);
  EXPECT_FALSE(self.gap);
  EXPECT_EQ(explain(self).cause, Cause::SelfSigned);
}

// The preference in force is a fact the renderer reads, never a sentence edited afterwards.
TEST(FixUnderSettings, RsaFirstIsNotAdvisedWhenItIsAlreadySet) {
  const ChainRefused self{"cucm.gap.lab", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, "self signed certificate"};
  const auto d = explain(self);
  ASSERT_NE(d.fix.find("ECDHE-RSA-AES256-GCM-SHA384"), std::string::npos) << d.fix;
  const auto rsa = diagnose(Facts{{self}, CertificatePreference::Rsa});
  EXPECT_EQ(rsa.fix.find("ECDHE-RSA-AES256-GCM-SHA384"), std::string::npos) << rsa.fix;
  EXPECT_NE(rsa.fix.find("The cipher string in force prefers RSA already, and the node still presents a self-signed certificate"),
            std::string::npos)
      << rsa.fix;
  EXPECT_TRUE(rsa.fix.starts_with("Upload the self-signed certificate of cucm.gap.lab to the Expressway-C trust store")) << rsa.fix;
  // Other causes do not depend on it.
  const ChainRefused expired{"cucm.gap.lab", X509_V_ERR_CERT_HAS_EXPIRED, 0, ""};
  EXPECT_EQ(diagnose(Facts{{expired}, CertificatePreference::Rsa}).fix, explain(expired).fix);
}

// With the certificate seen (the proxy, check, a capture judged with --trust), the fix names it;
// and the same fix comes out whichever reader holds the facts.
TEST(FixWithTheCertificate, NamesItAndSaysWhetherTheCipherStringCanSteer) {
  PresentedLeaf ecdsa{"cucm-EC.gap.lab", "cucm-EC.gap.lab", true, false, {"cucm.gap.lab"}, {}, "2026-01-01T00:00:00Z",
                      "2027-01-01T00:00:00Z"};
  const ChainRefused ecdsa_refused{"cucm.gap.lab", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, "", std::nullopt, ecdsa};
  auto tls12 = explain(ecdsa_refused);
  EXPECT_TRUE(tls12.fix.starts_with("Upload the self-signed certificate 'cucm-EC.gap.lab' of cucm.gap.lab")) << tls12.fix;
  EXPECT_NE(tls12.fix.find("under TLS 1.2 the cipher prefix ECDHE-RSA-AES256-GCM-SHA384:"), std::string::npos) << tls12.fix;
  // RSA-first in force and the node still presents it: it has no RSA certificate to offer.
  const auto fitted = diagnose(Facts{{ecdsa_refused}, CertificatePreference::Rsa});
  EXPECT_EQ(fitted.fix.find("under TLS 1.2 the cipher prefix"), std::string::npos) << fitted.fix;
  EXPECT_NE(fitted.fix.find("it has no RSA certificate to offer instead"), std::string::npos) << fitted.fix;
  // check's ECDSA-first row when its RSA-first probe is refused too.
  Facts refused_too{{ecdsa_refused}};
  refused_too.other_certificate = OtherCertificate::RefusedToo;
  EXPECT_NE(diagnose(refused_too).fix.find("the RSA certificate the node then presents is refused too"), std::string::npos);
  // An RSA certificate: the prefix was never offered, and nothing is said of it.
  PresentedLeaf rsa_leaf{"cucm.gap.lab", "cucm.gap.lab", false, false, {"cucm.gap.lab"}, {}, "", ""};
  const ChainRefused plain_refused{"cucm.gap.lab", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, "", std::nullopt, rsa_leaf};
  const auto plain = explain(plain_refused);
  EXPECT_EQ(plain.fix.find("RSA-first"), std::string::npos) << plain.fix;
  EXPECT_EQ(diagnose(Facts{{plain_refused}, CertificatePreference::Rsa}).fix, plain.fix);
  // From the lines alone, a capture that shows TLS 1.3 drops the offer of the prefix.
  const ChainRefused lines_only{"cucm.gap.lab", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, ""};
  const auto tls13_seen = diagnose(Facts{{lines_only}, CertificatePreference::Ecdsa, true, Source::Capture});
  EXPECT_EQ(tls13_seen.fix.find("ECDHE-RSA-AES256-GCM-SHA384"), std::string::npos) << tls13_seen.fix;
  EXPECT_NE(tls13_seen.fix.find("cannot help here: the node negotiates TLS 1.3"), std::string::npos) << tls13_seen.fix;

  ecdsa.tls13 = true;
  auto tls13 = explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, "", std::nullopt, ecdsa});
  EXPECT_NE(tls13.fix.find("The RSA-first cipher prefix cannot help here: the node negotiates TLS 1.3"), std::string::npos)
      << tls13.fix;
  EXPECT_EQ(tls13.fix.find("ECDHE-RSA-AES256-GCM-SHA384"), std::string::npos) << tls13.fix;
  EXPECT_EQ(diagnose(Facts{{ChainRefused{"cucm.gap.lab", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, "", std::nullopt, ecdsa}},
                           CertificatePreference::Rsa})
                .fix,
            tls13.fix);

  PresentedLeaf rsa{"cucm.gap.lab", "Gap Root CA", false, false, {"cucm.gap.lab"}, {}, "2025-01-01T00:00:00Z",
                    "2025-06-01T00:00:00Z"};
  EXPECT_EQ(explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_CERT_HAS_EXPIRED, 0, "", std::nullopt, rsa}).fix,
            "Renew 'cucm.gap.lab' of cucm.gap.lab (expired 2025-06-01T00:00:00Z).");
  EXPECT_EQ(explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_CERT_HAS_EXPIRED, 0, ""}).fix, "Renew the certificate of cucm.gap.lab.");
  // An expired CA above the leaf: renewing the leaf would not heal it.
  const auto ca = explain(ChainRefused{"cucm.gap.lab", X509_V_ERR_CERT_HAS_EXPIRED, 1, "", std::nullopt, rsa});
  EXPECT_EQ(ca.fix.find("'cucm.gap.lab'"), std::string::npos) << ca.fix;
  EXPECT_NE(ca.fix.find("expired CA certificate of the chain cucm.gap.lab sends (depth 1"), std::string::npos) << ca.fix;
}

// A certificate for another host: reissue it, and rename only if the name is an alias. Sending
// the engineer to rename the node after the host the certificate names would send the traffic
// to the wrong box.
TEST(FixWithTheCertificate, ACertificateForAnotherHostIsReissued) {
  PresentedLeaf other{"imp.gap.lab", "Gap Root CA", false, false, {"imp.gap.lab"}, {}, "", ""};
  const auto d = explain(NameNotInCertificate{"cucm.gap.lab", false, other});
  EXPECT_EQ(d.cause, Cause::NameNotInCertificate);
  EXPECT_EQ(d.fix,
            "Reissue the certificate of cucm.gap.lab with cucm.gap.lab as a SAN (it presents 'imp.gap.lab', for imp.gap.lab), "
            "or, if cucm.gap.lab is another name of the host the certificate names, make the cluster advertise that name.");
  EXPECT_EQ(d.fix.find("System > Server"), std::string::npos) << d.fix;

  PresentedLeaf by_ip{"cucm.gap.lab", "Gap Root CA", false, false, {"cucm.gap.lab"}, {"10.0.0.5"}, "", ""};
  const auto ip = explain(NameNotInCertificate{"10.0.0.5", true, by_ip});
  EXPECT_EQ(ip.cause, Cause::IpNotInCertificate);
  EXPECT_TRUE(ip.fix.starts_with("Change CUCM System > Server to the node's FQDN (cucm.gap.lab, which its certificate names)"))
      << ip.fix;
  EXPECT_NE(ip.fix.find("(it is there only as an IP-address SAN, which the traffic server does not consult)"), std::string::npos)
      << ip.fix;
}

TEST(FixCatalogue, CausesReadBackFromTheirNames) {
  for (auto c : {Cause::SelfSigned, Cause::RekeyedCa, Cause::MissingIntermediate, Cause::ClientCertRejected, Cause::OriginTimeout})
    EXPECT_EQ(cause_from_string(to_string(c)), c);
  EXPECT_EQ(cause_from_string("no-such-cause"), Cause::None);
}
