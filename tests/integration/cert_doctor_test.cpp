// mratls cert match / lint / truststore as processes: each problem of issue #6 answered by one
// command with its specific message and exit code; PEM, DER and PKCS#7 inputs give the same
// answer; garbage and the wrong kind of file are clear errors (exit 2).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

const lab::Issued& doctor_root() {
  static const auto root = lab::make_ca("Doctor Root CA");
  return root;
}
const lab::Issued& doctor_issuing() {
  static const auto issuing = lab::make_ca("Doctor Issuing CA", &doctor_root());
  return issuing;
}

lab::CertSpec cucm_spec() {
  lab::CertSpec spec;
  spec.common_name = "cucm.steven.lab";
  spec.dns_sans = {"cucm.steven.lab"};
  return spec;
}

struct DoctorRun {
  int exit = -1;
  std::string output;
};

DoctorRun run(std::vector<std::string> args) {
  auto p = spawn_mratls(std::move(args));
  DoctorRun r;
  r.exit = p.wait_exit();
  r.output = p.output;
  return r;
}

bool says(const DoctorRun& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

nlohmann::json json_of(const DoctorRun& r) {
  auto start = r.output.find('{');
  return nlohmann::json::parse(r.output.substr(start == std::string::npos ? 0 : start));
}

}  // namespace

TEST(CertMatch, CaThatAddedWwwIsTheSanMismatchTheUploadReports) {
  auto key = lab::shared_key(lab::KeyType::Rsa2048);
  auto csr = lab::make_csr(cucm_spec(), key.get());
  auto spec = cucm_spec();
  spec.dns_sans.push_back("www.cucm.steven.lab");
  auto cert = lab::issue(spec, &doctor_issuing());
  auto csr_pem = write_file("match/www.csr", lab::to_pem(csr.get()));
  auto csr_der = write_file("match/www.csr.der", to_der(csr.get()));
  auto cert_pem = write_file("match/www.pem", cert.cert_pem());
  auto chain_p7b = write_file("match/www.p7b", to_pkcs7_der({doctor_issuing().cert.get(), cert.cert.get()}));

  auto text = run({"cert", "match", "--csr", csr_pem, "--cert", cert_pem});
  EXPECT_EQ(text.exit, 1) << text.output;
  EXPECT_TRUE(says(text, "added by the CA:\n    DNS:www.cucm.steven.lab\n")) << text.output;
  EXPECT_TRUE(says(text, "- DNS:www.cucm.steven.lab: the CA prefixed www. to cucm.steven.lab")) << text.output;
  EXPECT_TRUE(says(text, "\nCSR SAN and Certificate SAN does not match\n")) << text.output;
  EXPECT_TRUE(says(text, "same key")) << text.output;

  // The CSR as DER and the certificate inside the CA's PKCS#7 bundle: the same answer.
  auto pem_json = json_of(run({"cert", "match", "--csr", csr_pem, "--cert", cert_pem, "--json"}));
  auto der_run = run({"cert", "match", "--csr", csr_der, "--cert", chain_p7b, "--json"});
  EXPECT_EQ(der_run.exit, 1) << der_run.output;
  auto der_json = json_of(der_run);
  EXPECT_EQ(der_json["san"], pem_json["san"]);
  EXPECT_EQ(der_json["key"], pem_json["key"]);
  EXPECT_EQ(der_json["mismatches"], nlohmann::json::array({"CSR SAN and Certificate SAN does not match"}));
  EXPECT_EQ(der_json["schema"], "mratls.cert.match/1");
  EXPECT_EQ(der_json["san"]["added_by_ca"], nlohmann::json::array({"DNS:www.cucm.steven.lab"}));
}

TEST(CertMatch, RegeneratedCsrIsTheKeyMismatchTheUploadReports) {
  auto issued_for = lab::generate_key(lab::KeyType::Rsa2048);
  auto cert = lab::issue(cucm_spec(), &doctor_issuing(), ossl::up_ref(issued_for.get()));
  auto regenerated = lab::make_csr(cucm_spec(), lab::shared_key(lab::KeyType::Rsa2048).get());
  auto r = run({"cert", "match", "--csr", write_file("match/regen.csr", lab::to_pem(regenerated.get())), "--cert",
                write_file("match/regen.pem", cert.cert_pem())});
  EXPECT_EQ(r.exit, 1) << r.output;
  EXPECT_TRUE(says(r, "\nCSR public key and certificate public key does not match\n")) << r.output;
  EXPECT_TRUE(says(r, "DIFFERENT keys")) << r.output;
  EXPECT_FALSE(says(r, "CSR SAN and Certificate SAN does not match")) << r.output;
}

TEST(CertMatch, TheRightCertificateMatchesAndShowsTheModulusEngineersCompare) {
  auto key = lab::shared_key(lab::KeyType::Rsa2048);
  auto csr = lab::make_csr(cucm_spec(), key.get());
  auto cert = lab::issue(cucm_spec(), &doctor_issuing(), ossl::up_ref(key.get()));
  auto r = run({"cert", "match", "--csr", write_file("match/good.csr", lab::to_pem(csr.get())), "--cert",
                write_file("match/good.pem", cert.cert_pem())});
  EXPECT_EQ(r.exit, 0) << r.output;
  EXPECT_TRUE(says(r, "The certificate matches the CSR: same public key, same SANs, same CN.")) << r.output;

  // Made by the openssl command line: the MD5 it prints for the modulus appears twice.
  const std::string dir = std::string(MRATLS_SOURCE_DIR) + "/tests/certificates/";
  auto cli = run({"cert", "match", "--csr", dir + "openssl-cli-rsa.csr", "--cert", dir + "openssl-cli-rsa.pem"});
  EXPECT_EQ(cli.exit, 1) << "the CSR asked for no SAN, the certificate has one\n" << cli.output;
  EXPECT_TRUE(says(cli, "  CSR          RSA 2048  modulus MD5 e85159d4a28b4d2d060bbd62f8379c0f\n")) << cli.output;
  EXPECT_TRUE(says(cli, "  Certificate  RSA 2048  modulus MD5 e85159d4a28b4d2d060bbd62f8379c0f\n")) << cli.output;
  EXPECT_TRUE(says(cli, "added by the CA:\n    DNS:cucm-fixture.steven.lab")) << cli.output;
}

TEST(CertMatch, WrongKindsOfFileAreClearErrors) {
  auto cert = write_file("match/any.pem", lab::issue(cucm_spec(), &doctor_issuing()).cert_pem());
  auto swapped = run({"cert", "match", "--csr", cert, "--cert", cert});
  EXPECT_EQ(swapped.exit, 2);
  EXPECT_TRUE(says(swapped, "mratls cert match: " + cert + ": this is a certificate, not a certificate signing request"))
      << swapped.output;
  auto missing = run({"cert", "match", "--csr", "/nonexistent/x.csr", "--cert", cert});
  EXPECT_EQ(missing.exit, 2);
  EXPECT_TRUE(says(missing, "/nonexistent/x.csr: cannot open the file")) << missing.output;
}

TEST(CertLintCommand, PemDerAndPkcs7GiveTheSameFindings) {
  auto spec = cucm_spec();
  spec.extra_extensions = {{NID_certificate_policies, "critical,2.5.29.32.0"}};
  spec.key_type = lab::KeyType::Rsa4096;
  auto cert = lab::issue(spec, &doctor_issuing());
  std::vector<nlohmann::json> answers;
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"lint/uccx.pem", cert.cert_pem()}, {"lint/uccx.der", to_der(cert.cert.get())},
           {"lint/uccx.p7b", to_pkcs7_der({cert.cert.get()})}}) {
    auto r = run({"cert", "lint", write_file(name, bytes), "--json"});
    EXPECT_EQ(r.exit, 1) << name << "\n" << r.output;
    auto j = json_of(r);
    EXPECT_EQ(j["schema"], "mratls.cert.lint/1");
    ASSERT_EQ(j["certificates"].size(), 1u) << r.output;
    answers.push_back(j["certificates"][0]["findings"]);
  }
  EXPECT_EQ(answers[0], answers[1]);
  EXPECT_EQ(answers[0], answers[2]);
  std::vector<std::string> rules;
  for (const auto& f : answers[0]) rules.push_back(f["rule"]);
  EXPECT_EQ(rules, (std::vector<std::string>{"critical-extension", "rsa-key-size-uccx"}));

  auto text = run({"cert", "lint", LabPki::get().dir.string() + "/lint/uccx.pem"});
  EXPECT_TRUE(says(text, "error   critical-extension: extension X509v3 Certificate Policies is marked critical; only Key "
                        "Usage and Basic Constraints may be\n          breaks: UCCX ↔ CUCM SSL handshakes"))
      << text.output;
  EXPECT_TRUE(says(text, "1 certificate: 1 error(s), 1 warning(s), 0 note(s)")) << text.output;
}

TEST(CertLintCommand, EachProblemOfTheIssueHasItsMessage) {
  auto no_cn = cucm_spec();
  no_cn.dns_sans = {"cucm-pub.steven.lab"};
  auto ip_only = cucm_spec();
  ip_only.ip_sans = {"10.48.36.215"};
  auto bundle = lab::issue(no_cn, &doctor_issuing()).cert_pem() + lab::issue(ip_only, &doctor_issuing()).cert_pem();
  auto r = run({"cert", "lint", write_file("lint/two.pem", bundle)});
  EXPECT_EQ(r.exit, 1) << r.output;
  EXPECT_TRUE(says(r, "two.pem#1\n")) << r.output;
  EXPECT_TRUE(says(r, "warning cn-not-in-san: CN cucm.steven.lab is not among the DNS SANs\n          breaks: browsers "
                     "since Chrome 58 (NET::ERR_CERT_COMMON_NAME_INVALID)"))
      << r.output;
  EXPECT_TRUE(says(r, "two.pem#2\n")) << r.output;
  EXPECT_TRUE(says(r, "warning ip-only-as-ipaddress-san: 10.48.36.215 is present only as an iPAddress SAN")) << r.output;

  auto clean = run({"cert", "lint", write_file("lint/clean.pem", lab::issue(cucm_spec(), &doctor_issuing()).cert_pem())});
  EXPECT_EQ(clean.exit, 0) << clean.output;
  EXPECT_TRUE(says(clean, "  clean\n")) << clean.output;
}

TEST(CertLintCommand, GarbageAndCsrsAreClearErrors) {
  auto garbage = run({"cert", "lint", write_file("lint/garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64!\n")});
  EXPECT_EQ(garbage.exit, 2);
  EXPECT_TRUE(says(garbage, "garbage.pem: broken PEM certificate number 1")) << garbage.output;
  auto binary = run({"cert", "lint", write_file("lint/random.bin", std::string("\x30\x82\x01\x00\xff\xfe", 6))});
  EXPECT_EQ(binary.exit, 2);
  EXPECT_TRUE(says(binary, "random.bin: no certificate found (expected PEM, DER or PKCS#7)")) << binary.output;
  auto csr = lab::make_csr(cucm_spec(), lab::shared_key(lab::KeyType::Rsa2048).get());
  auto wrong = run({"cert", "lint", write_file("lint/node.csr", lab::to_pem(csr.get()))});
  EXPECT_EQ(wrong.exit, 2);
  EXPECT_TRUE(says(wrong, "node.csr: this is a certificate signing request, not a certificate")) << wrong.output;
  auto at = run({"cert", "lint", LabPki::get().trust_file, "--at", "yesterday"});
  EXPECT_EQ(at.exit, 2);
  EXPECT_TRUE(says(at, "--at 'yesterday' is not a time")) << at.output;
}

TEST(CertTrustStore, TwoSelfSignedCertificatesWithOneCn) {
  lab::CertSpec spec = cucm_spec();
  auto callmanager = lab::issue(spec, nullptr, lab::generate_key(lab::KeyType::EcdsaP256));
  spec.not_before = -std::chrono::hours(24 * 7);
  auto tomcat = lab::issue(spec, nullptr, lab::generate_key(lab::KeyType::EcdsaP256));
  auto store = write_file("store/pair.pem", callmanager.cert_pem() + tomcat.cert_pem());
  auto r = run({"cert", "truststore", store});
  EXPECT_EQ(r.exit, 1) << r.output;
  EXPECT_TRUE(says(r, "error   duplicate-cn: 2 certificates share CN cucm.steven.lab: Expressway keeps one certificate per CN"))
      << r.output;
  EXPECT_TRUE(says(r, "warning cucm-older-start-date: " + store + "#2 does not replace " + store + "#1 on CUCM")) << r.output;
  auto j = json_of(run({"cert", "truststore", store, "--json"}));
  EXPECT_EQ(j["schema"], "mratls.cert.truststore/1");
  EXPECT_EQ(j["entries"].size(), 2u);
}

TEST(CertTrustStore, LeafWhoseIntermediateIsMissing) {
  auto leaf = lab::issue(cucm_spec(), &doctor_issuing());
  auto store = write_file("store/root.pem", doctor_root().cert_pem());
  auto alone = write_file("store/leaf.pem", leaf.cert_pem());
  auto r = run({"cert", "truststore", store, "--leaf", alone});
  EXPECT_EQ(r.exit, 1) << r.output;
  EXPECT_TRUE(says(r, "<- CN=Doctor Issuing CA,O=mratls lab  [MISSING]")) << r.output;
  EXPECT_TRUE(says(r, "missing: CN=Doctor Issuing CA,O=mratls lab, which signed CN=cucm.steven.lab,O=mratls lab")) << r.output;
  EXPECT_TRUE(says(r, "[ET_NET 0] WARNING: Core server certificate verification failed for (cucm.steven.lab). "
                     "Action=Terminate Error=unable to get local issuer certificate server=cucm.steven.lab(?) depth=0"))
      << r.output;

  // The origin sending its intermediate completes the chain; so does the store holding it.
  auto with_chain = write_file("store/leaf-chain.pem", leaf.cert_pem() + doctor_issuing().cert_pem());
  auto sent = run({"cert", "truststore", store, "--leaf", with_chain});
  EXPECT_EQ(sent.exit, 0) << sent.output;
  EXPECT_TRUE(says(sent, "the chain can be built from the store")) << sent.output;
  EXPECT_TRUE(says(sent, "X14.2 with VerifyOriginServer On: chain accepted")) << sent.output;
  auto full = write_file("store/full.pem", doctor_root().cert_pem() + doctor_issuing().cert_pem());
  EXPECT_EQ(run({"cert", "truststore", full, "--leaf", alone}).exit, 0);
}

TEST(CertTrustStore, ACaSignedLeafInTheStoreAnchorsNothing) {
  // What the not-a-ca warning says, checked against the proxy's verifier itself.
  auto leaf = write_file("store/only-leaf.pem", lab::issue(cucm_spec(), &doctor_issuing()).cert_pem());
  auto r = run({"cert", "truststore", leaf, "--leaf", leaf, "--json"});
  EXPECT_EQ(r.exit, 1) << r.output;
  auto j = json_of(r);
  EXPECT_EQ(j["findings"][0]["rule"], "not-a-ca");
  EXPECT_EQ(j["findings"][0]["severity"], "warning");
  EXPECT_EQ(j["leaves"][0]["buildable"], false);
  EXPECT_EQ(j["leaves"][0]["x14_2_accepts"], false) << r.output;
}

TEST(CertCommands, EverySubcommandHasHelp) {
  for (const char* sub : {"verify", "match", "lint", "truststore"}) {
    auto r = run({"cert", sub, "--help"});
    EXPECT_EQ(r.exit, 0) << sub;
    EXPECT_TRUE(says(r, "--json")) << sub << "\n" << r.output;
  }
}
