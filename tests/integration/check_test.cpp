// mratls check's probe: every catalogue scenario's verdict and cause under both preferences, clear
// verdicts for nodes that misbehave, discovery, and the JSON schema of the command.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <fstream>
#include <regex>
#include <set>

#include "lab/scenarios.hpp"
#include "verify/fix_catalogue.hpp"
#include "check/probe.hpp"
#include "check/change_date.hpp"
#include "check/report.hpp"
#include "verify/doctor/certificate_facts.hpp"
#include "support.hpp"
#include "verify/certificate_file.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/cipher_preference.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

std::shared_ptr<const proxy::Runtime> runtime(bool rsa_first, bool with_trust = true) {
  auto config = base_config(LabPki::get());
  if (rsa_first) config.expressway.ciphers = kRsaFirst;
  if (!with_trust) config.expressway.trusted_ca_certificates.clear();
  auto rt = proxy::Runtime::build(config, nullptr);
  if (!rt) throw std::runtime_error(rt.error());
  return *rt;
}

struct Verdict {
  bool before;
  bool x142;
  verify::Cause cause;
};

Verdict probe(const std::string& scenario, bool rsa_first) {
  auto def = lab::scenario_origin(scenario);
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  auto probes = check::run_probes({{runtime(rsa_first), {def.connect_host, "https", (*origin)->port()}, "x"}}, 4, 1);
  const auto& p = probes.front();
  return {p.before_x142_ok(), p.x142_ok(), p.failure ? verify::explain(*p.failure).cause : verify::Cause::None};
}

struct Expected {
  std::string id;
  Verdict ecdsa;
  Verdict rsa;
  friend void PrintTo(const Expected& e, std::ostream* os) { *os << e.id; }
};

using C = verify::Cause;
const Verdict kPass{true, true, C::None};
Verdict refused(C cause) { return {true, false, cause}; }

}  // namespace

class CheckScenario : public ::testing::TestWithParam<Expected> {};

TEST_P(CheckScenario, VerdictAndCauseForBothPreferences) {
  auto e = probe(GetParam().id, false);
  EXPECT_EQ(e.before, GetParam().ecdsa.before);
  EXPECT_EQ(e.x142, GetParam().ecdsa.x142);
  EXPECT_EQ(e.cause, GetParam().ecdsa.cause) << verify::to_string(e.cause);
  auto r = probe(GetParam().id, true);
  EXPECT_EQ(r.before, GetParam().rsa.before);
  EXPECT_EQ(r.x142, GetParam().rsa.x142);
  EXPECT_EQ(r.cause, GetParam().rsa.cause) << verify::to_string(r.cause);
}

INSTANTIATE_TEST_SUITE_P(
    Catalogue, CheckScenario,
    ::testing::Values(Expected{"ok-fqdn", kPass, kPass},
                      Expected{"self-signed", refused(C::SelfSigned), refused(C::SelfSigned)},
                      Expected{"unknown-ca", refused(C::UntrustedChain), refused(C::UntrustedChain)},
                      Expected{"ip-not-in-san", refused(C::IpNotInCertificate), refused(C::IpNotInCertificate)},
                      Expected{"ip-as-dns-san", kPass, kPass},
                      Expected{"ip-address-san", refused(C::IpNotInCertificate), refused(C::IpNotInCertificate)},
                      Expected{"cn-fallback", kPass, kPass},
                      Expected{"ecdsa-self-signed", refused(C::SelfSigned), kPass},
                      Expected{"ecdsa-self-signed-tls13", refused(C::SelfSigned), refused(C::SelfSigned)},
                      // Sent alone: whether its issuer is an intermediate or a root, nothing says.
                      Expected{"missing-intermediate", refused(C::UntrustedChain), refused(C::UntrustedChain)},
                      Expected{"intermediate-left-out", refused(C::MissingIntermediate), refused(C::MissingIntermediate)},
                      Expected{"rekeyed-ca", refused(C::RekeyedCa), refused(C::RekeyedCa)},
                      Expected{"expired", refused(C::Expired), refused(C::Expired)},
                      Expected{"untrusted-root-sent", refused(C::UntrustedChain), refused(C::UntrustedChain)},
                      Expected{"wrong-host", refused(C::NameNotInCertificate), refused(C::NameNotInCertificate)}),
    [](const auto& info) {
      std::string n = info.param.id;
      for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

// A publisher that finishes TLS and never answers /cucm-uds/servers: discovery gives up after
// the origin timeouts' sum with a clear error; before, it waited for good.
TEST(CheckProbe, DiscoveryOnAPublisherThatNeverAnswersEnds) {
  auto def = lab::scenario_origin("ok-fqdn");
  def.spec.behaviour = lab::OriginBehaviour::Mute;
  auto mute = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(mute) << mute.error();
  auto config = base_config(LabPki::get());
  // The handshake has room even on a loaded sanitizer build; the answer never comes.
  config.timeouts.connect_ms = 500;
  config.timeouts.handshake_ms = 2000 * time_scale();
  config.timeouts.origin_response_ms = 300;
  const int budget = config.timeouts.connect_ms + config.timeouts.handshake_ms + config.timeouts.origin_response_ms;
  auto rt = *proxy::Runtime::build(config, nullptr);
  const auto began = std::chrono::steady_clock::now();
  auto body = check::fetch_without_verification(*rt, {"cucm.steven.lab", "https", (*mute)->port()}, "/cucm-uds/servers");
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(budget) + std::chrono::seconds(5) * time_scale());
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error(), "no answer to GET /cucm-uds/servers within " + std::to_string(budget) + " ms");
}

TEST(CheckProbe, MisbehavingNodesGetAClearVerdictWithinTheTimeout) {
  auto start = [](lab::OriginBehaviour b) {
    lab::MockOriginSpec s;
    s.behaviour = b;
    auto o = lab::MockOrigin::start(std::move(s));
    if (!o) throw std::runtime_error(o.error());
    return std::move(*o);
  };
  auto stall = start(lab::OriginBehaviour::Stall);
  auto reset = start(lab::OriginBehaviour::ResetHandshake);
  auto plain = start(lab::OriginBehaviour::PlainHttp);
  auto config = base_config(LabPki::get());
  config.timeouts.handshake_ms = 500;
  auto rt = *proxy::Runtime::build(config, nullptr);
  std::uint16_t closed = 0;
  {
    auto gone = start(lab::OriginBehaviour::Serve);
    closed = gone->port();
  }
  auto began = std::chrono::steady_clock::now();
  auto probes = check::run_probes({{rt, {"cucm.steven.lab", "https", stall->port()}, "x"},
                                   {rt, {"cucm.steven.lab", "https", reset->port()}, "x"},
                                   {rt, {"cucm.steven.lab", "https", plain->port()}, "x"},
                                   {rt, {"cucm.steven.lab", "https", closed}, "x"},
                                   {rt, {"cucm.steven.lab", "http", plain->port()}, "x"}},
                                  8, 2);
  // The bound is the behaviour: the 500 ms handshake timeout holds, with a wide margin. Without
  // it the stalled node would hold its probe for the base configuration's 10 s.
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5) * time_scale());
  EXPECT_EQ(probes[0].outcome, check::ProbeOutcome::TlsFailed);
  EXPECT_EQ(probes[0].error, "handshake timed out");
  EXPECT_EQ(probes[1].outcome, check::ProbeOutcome::TlsFailed);
  EXPECT_EQ(probes[2].outcome, check::ProbeOutcome::TlsFailed);
  EXPECT_EQ(probes[2].error, "error:1408F10B:SSL routines:ssl3_get_record:wrong version number");
  EXPECT_EQ(probes[3].outcome, check::ProbeOutcome::ConnectFailed);
  EXPECT_EQ(probes[3].error, "Connection refused");
  EXPECT_EQ(probes[4].outcome, check::ProbeOutcome::NotTls);
  EXPECT_FALSE(probes[0].before_x142_ok());
  EXPECT_TRUE(probes[4].x142_ok());
}

TEST(CheckCommand, DiscoversTheLabClusterAndWritesTheDocumentedJson) {
  auto dir = LabPki::get().dir / "check-lab";
  auto lab = spawn_mratls({"lab", "--scenario", "field-mix", "--keep-running", "--port", "0", "--out", dir.string()});
  ASSERT_TRUE(lab.wait_for("Ctrl-C stops the lab.")) << lab.output;
  const auto block = lab_block(lab.output);
  auto check = spawn_mratls({"check", "--trust", (dir / "trust" / "lab-root.pem").string(), "--node", "cucm1.steven.lab",
                             "--hosts", "cucm1.steven.lab=" + block + ".201", "--hosts", "tftp.steven.lab=" + block + ".205",
                             "--discover", "--json"});
  EXPECT_EQ(check.wait_exit(std::chrono::seconds(30)), 1) << check.output;
  kill(lab.pid, SIGINT);
  EXPECT_EQ(lab.wait_exit(), 0);

  auto json = nlohmann::json::parse(check.output.substr(check.output.find('{')));
  EXPECT_EQ(json["schema"], "mratls.check/1");
  ASSERT_TRUE(json["probes"].is_array());
  std::set<std::string> nodes;
  for (const auto& p : json["probes"]) {
    for (const auto* key : {"node", "ip", "port", "protocol", "preference", "outcome", "before_x142", "x142", "tls_version",
                            "cipher", "error", "chain", "findings", "lines", "cause", "reason", "fix"})
      EXPECT_TRUE(p.contains(key)) << key;
    nodes.insert(p["node"].get<std::string>());
    if (p["node"] == block + ".202") {
      EXPECT_FALSE(p["x142"].get<bool>());
      EXPECT_EQ(p["cause"], "ip-not-in-certificate");
      ASSERT_FALSE(p["chain"].empty());
      EXPECT_EQ(p["chain"][0]["subject_cn"], "cucm2.steven.lab");
      EXPECT_EQ(p["chain"][0]["key_type"], "RSA");
      EXPECT_EQ(p["chain"][0]["sha256"].get<std::string>().size(), 95u);
    }
    // The TFTP node's tomcat-ECDSA is self-signed: 8443 and 6972 present it alike, as CUCM does.
    if (p["node"] == "tftp.steven.lab" && p["preference"] == "ECDSA-first" && p["protocol"] == "https") {
      EXPECT_EQ(p["cause"], "self-signed");
      EXPECT_NE(p["reason"].get<std::string>().find("fails only ECDSA-first (the RSA certificate passes)"), std::string::npos)
          << p["reason"];
      EXPECT_NE(p["fix"].get<std::string>().find("under TLS 1.2 the cipher prefix ECDHE-RSA-AES256-GCM-SHA384:"), std::string::npos)
          << p["fix"];
      // The fix (trust it) can be done from the export: the certificate the node presents is there.
      auto exported = verify::read_certificates((dir / "nodes" / "field-mix" / "tftp.steven.lab-ecdsa.pem").string());
      ASSERT_TRUE(exported) << exported.error();
      EXPECT_EQ(verify::summarize(exported->front().get()).sha256, p["chain"][0]["sha256"].get<std::string>());
    }
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"cucm1.steven.lab", block + ".202", "tftp.steven.lab"}))
      << "discovery finds the node advertised by IP and the TFTP node";
  EXPECT_EQ(json["workaround"], "Short-term workaround, not a fix: xConfiguration EdgeConfigServer VerifyOriginServer: Off");
  EXPECT_FALSE(json["fixes"].empty());
}

TEST(CheckCommand, UsageErrorsExitTwo) {
  auto none = spawn_mratls({"check"});
  EXPECT_EQ(none.wait_exit(), 2);
  EXPECT_NE(none.output.find("nothing to check"), std::string::npos);
  auto bad = spawn_mratls({"check", "--node", "cucm:99999"});
  EXPECT_EQ(bad.wait_exit(), 2);
  EXPECT_NE(bad.output.find("port '99999' is not in 1-65535"), std::string::npos) << bad.output;
}

// The offline verifier (mratls cert verify) finds what the handshake finds.
TEST(CheckProbe, OfflineVerificationFindsWhatTheHandshakeFinds) {
  for (const auto* id : {"ok-fqdn", "self-signed", "unknown-ca", "ip-not-in-san", "ip-address-san", "cn-fallback",
                         "missing-intermediate", "expired", "untrusted-root-sent", "wrong-host", "intermediate-left-out",
                         "rekeyed-ca"}) {
    auto def = lab::scenario_origin(id);
    const auto& presented = def.spec.certificates.front();
    std::vector<X509*> sent;
    for (const auto& c : presented.chain) sent.push_back(c.cert.get());
    auto trust = verify::TrustStore::load({LabPki::get().trust_file});
    ASSERT_TRUE(trust);
    const std::string name = def.connect_host;
    verify::OriginVerification offline({name, name, "127.0.0.1"}, verify::Enforcement::LogOnly);
    offline.verify_offline(presented.leaf.cert.get(), sent, *trust, 1);

    auto origin = lab::MockOrigin::start(std::move(def.spec));
    ASSERT_TRUE(origin);
    auto probes = check::run_probes({{runtime(false), {name, "https", (*origin)->port()}, "x"}}, 1, 1);
    EXPECT_EQ(offline.findings(), probes.front().findings) << id;
  }
}

// One OpenSSL error, "unable to get local issuer certificate", has several causes; check tells
// them apart from the chain and the store, names the certificate, and sends the engineer to the
// box where the fix is made.
struct GapCase {
  std::string id;
  bool with_trust;
  verify::Cause cause;
  std::vector<std::string> in_fix;
  std::vector<std::string> not_in_reason;
  friend void PrintTo(const GapCase& g, std::ostream* os) { *os << g.id << (g.with_trust ? "" : " without trust"); }
};

class CheckChainGap : public ::testing::TestWithParam<GapCase> {};

TEST_P(CheckChainGap, TheVerdictNamesTheMissingCertificateAndWhereToFixIt) {
  const auto& g = GetParam();
  auto def = lab::scenario_origin(g.id);
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(origin) << origin.error();
  auto probes = check::run_probes({{runtime(false, g.with_trust), {def.connect_host, "https", (*origin)->port()}, "ECDSA-first"}}, 1, 1);
  auto report = check::judge(std::move(probes), {});
  ASSERT_EQ(report.rows.size(), 1u);
  const auto& row = report.rows.front();
  EXPECT_EQ(row.diagnosis.cause, g.cause) << verify::to_string(row.diagnosis.cause) << ": " << row.diagnosis.summary;
  for (const auto& text : g.in_fix) EXPECT_NE(row.fix.find(text), std::string::npos) << text << "\n" << row.fix;
  for (const auto& text : g.not_in_reason)
    EXPECT_EQ(check::reason_of(row).find(text), std::string::npos) << text << "\n" << check::reason_of(row);
}

INSTANTIATE_TEST_SUITE_P(
    Gaps, CheckChainGap,
    ::testing::Values(
        // No trust store at all: the node's CA-signed certificate lacks its root, not an intermediate.
        GapCase{"ok-fqdn", false, C::UntrustedChain, {"Upload the CA certificate 'mratls Lab Root CA' (key id "}, {"intermediate"}},
        GapCase{"missing-intermediate", true, C::UntrustedChain,
                {"Upload the CA certificate 'mratls Lab Issuing CA' (key id ", "If it is an intermediate CA, its root must be there too"}, {}},
        GapCase{"intermediate-left-out", true, C::MissingIntermediate,
                {"Make cucm.steven.lab send its full chain", "'mratls Lab Issuing CA' (key id "}, {}},
        GapCase{"rekeyed-ca", true, C::RekeyedCa, {"replace 'mratls Lab Root CA' (key id ", "with 'mratls Lab Root CA' (key id "}, {}},
        GapCase{"unknown-ca", true, C::UntrustedChain, {"Upload 'Unknown Root CA' (key id ", "(the root of this chain"}, {"intermediate"}},
        GapCase{"untrusted-root-sent", true, C::UntrustedChain, {"Upload the root CA 'Unknown Root CA' (key id "}, {}}),
    [](const auto& info) {
      std::string n = info.param.id + (info.param.with_trust ? "" : "_without_trust");
      for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

TEST(CheckProbe, ARekeyedCaNamesBothKeyIdentifiers) {
  auto def = lab::scenario_origin("rekeyed-ca");
  const auto expected_new = verify::doctor::certificate_facts(lab::LabAuthorities::shared().rekeyed_root.cert.get()).subject_key_id;
  const auto expected_old = verify::doctor::certificate_facts(lab::LabAuthorities::shared().root.cert.get()).subject_key_id;
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(origin);
  auto report = check::judge(check::run_probes({{runtime(false), {def.connect_host, "https", (*origin)->port()}, "x"}}, 1, 1), {});
  const auto& reason = check::reason_of(report.rows.front());
  EXPECT_NE(reason.find(expected_old), std::string::npos) << reason;
  EXPECT_NE(reason.find(expected_new), std::string::npos) << reason;
  ASSERT_NE(expected_old, expected_new);
}

// check --from: the upgrade path decides the cipher string, and the string which certificate a
// dual origin presents (tomcat RSA CA-signed, tomcat-ECDSA self-signed, TLS 1.2 as CUCM).
namespace {

struct UpgradeRun {
  int exit;
  std::string output;
};

UpgradeRun check_from(const std::string& from, std::vector<std::string> extra = {}, bool by_ip = false) {
  auto def = lab::scenario_origin("ecdsa-self-signed");
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  std::vector<std::string> args{"check", "--trust", LabPki::get().trust_file, "--node",
                                (by_ip ? "127.0.0.1" : def.connect_host) + ":" + std::to_string((*origin)->port()), "--hosts",
                                def.connect_host + "=127.0.0.1", "--from", from};
  args.insert(args.end(), extra.begin(), extra.end());
  auto run = spawn_mratls(args);
  const int exit = run.wait_exit(std::chrono::seconds(30));
  return {exit, run.output};
}

}  // namespace

TEST(CheckUpgrade, FromX12_7TheEcdsaCertificateFailsAfterTheUpgrade) {
  auto [exit, out] = check_from("X12.7");
  EXPECT_EQ(exit, 1) << out;
  EXPECT_NE(out.find("Upgrade, X12.7.0 to X14.2: upgrading from X12.7.0, below X14.0, leaves the cipher string as it is: "
                     "ECDSA is preferred\n  cipher string before: EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:!aNULL:!aDH\n"
                     "  cipher string after:  EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:!aNULL:!aDH\n"),
            std::string::npos)
      << out;
  const std::string node = std::string(lab::kLabCucm);
  // before: pass, after: FAIL, if the string changes (prefixed): pass.
  EXPECT_TRUE(std::regex_search(out, std::regex(node + " +127\\.0\\.0\\.1 +[0-9]+ +pass +FAIL +pass +fails only ECDSA-first")))
      << out;
  EXPECT_NE(out.find("What to change before the upgrade (X12.7.0 to X14.2):"), std::string::npos) << out;
  EXPECT_NE(out.find(verify::kVerifyOffWorkaround), std::string::npos) << out;
  // Every way of steering away heals it: the three strings, and trusting the self-signed certificate.
  EXPECT_NE(out.find("Ways to steer away from ECDSA, where the upgrade fails on an ECDSA certificate:"), std::string::npos) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("prepend ECDHE-RSA-AES256-GCM-SHA384: +pass")));
  EXPECT_TRUE(std::regex_search(out, std::regex("append :\\+ECDSA +pass")));
  EXPECT_TRUE(std::regex_search(out, std::regex("add !ECDSA +pass")));
  EXPECT_TRUE(std::regex_search(out, std::regex("trust the certificate that signed tomcat-ECDSA +pass +upload 'cucm-EC\\.steven\\.lab' "
                                                "\\(SHA-256 [0-9A-F:]{95}\\) to the Expressway-C trust store")))
      << out;
  EXPECT_EQ(out.find("If the cipher string changes"), std::string::npos) << out;
}

TEST(CheckUpgrade, FromX14_0_7ItPassesAndTheEcdsaRiskIsNamed) {
  auto [exit, out] = check_from("X14.0.7", {"--json"});
  EXPECT_EQ(exit, 0) << out;
  auto json = nlohmann::json::parse(out.substr(out.find('{')));
  const auto& u = json["upgrade"];
  EXPECT_EQ(u["from"], "X14.0.7");
  EXPECT_EQ(u["ciphers_after"], "ECDHE-RSA-AES256-GCM-SHA384:EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:!aNULL:!aDH");
  EXPECT_EQ(u["preference_after"], "RSA");
  EXPECT_EQ(u["failing_after"], 0);
  EXPECT_EQ(u["failing_if_cipher_string_changes"], 1);
  ASSERT_EQ(u["nodes"].size(), 1u);
  const auto& n = u["nodes"][0];
  EXPECT_TRUE(n["after"].get<bool>());
  EXPECT_FALSE(n["if_cipher_string_changes"].get<bool>());
  EXPECT_NE(n["reason_if_cipher_string_changes"].get<std::string>().find("self-signed"), std::string::npos) << n;
  EXPECT_FALSE(n["tls13"].get<bool>());
  // The summary, the fixes and the workaround are those after the upgrade, as the exit code is.
  EXPECT_EQ(json["summary"]["x142_failures"], 0) << json["summary"];
  EXPECT_TRUE(json["fixes"].empty()) << json["fixes"];
  EXPECT_TRUE(json["workaround"].is_null());

  auto text = check_from("X14.0.7");
  EXPECT_EQ(text.exit, 0) << text.output;
  EXPECT_NE(text.output.find("After the upgrade (X14.0.7 to X14.2), every node and port passes X14.2's origin verification."),
            std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("If the cipher string changes (the prefix removed), these would fail:\n- " + std::string(lab::kLabCucm)),
            std::string::npos)
      << text.output;
}

// Trusting the signer heals only what the signer causes: a node reached by an address its
// certificates do not hold still fails, and the verdict says so rather than promise a cure.
TEST(CheckUpgrade, TrustingTheSignerIsJudgedWithEveryOtherCheck) {
  auto [exit, out] = check_from("X12.7", {"--json"}, true);
  EXPECT_EQ(exit, 1) << out;
  auto json = nlohmann::json::parse(out.substr(out.find('{')));
  const auto& n = json["upgrade"]["nodes"].at(0);
  EXPECT_FALSE(n["after"].get<bool>());
  bool judged = false;
  for (const auto& a : n["alternatives"])
    if (a["id"] == "trust-signer") {
      judged = true;
      EXPECT_EQ(a["result"], "FAIL") << a;
      EXPECT_NE(a["detail"].get<std::string>().find("trusted it still fails"), std::string::npos) << a;
      EXPECT_NE(a["detail"].get<std::string>().find("127.0.0.1"), std::string::npos) << a;
    }
  EXPECT_TRUE(judged) << n;
}

// Trusting the signer replaces a trust store entry of the same CN (the appliance keeps one per
// CN): every node anchored to the entry replaced would fail after. The alternative is judged for
// every node-port that passes today, not for the one node (issue 37, item 4).
TEST(CheckUpgrade, TrustingASignerThatReplacesAnEntryIsJudgedForEveryNode) {
  const auto& pki = lab::LabAuthorities::shared();
  // A CA of the lab root's name with another key, signing one node's tomcat-ECDSA (sent with it).
  const auto impostor = lab::make_ca("mratls Lab Root CA");
  lab::CertSpec ec;
  ec.common_name = "cucm2-EC.steven.lab";
  ec.dns_sans = {"cucm2.steven.lab"};
  ec.key_type = lab::KeyType::EcdsaP256;
  lab::CertSpec rsa;
  rsa.common_name = "cucm2.steven.lab";
  rsa.dns_sans = {"cucm2.steven.lab"};
  lab::MockOriginSpec dual;
  dual.certificates = {{lab::issue(rsa, &pki.root), {}}, {lab::issue(ec, &impostor), {impostor}}};
  auto changed = lab::MockOrigin::start(std::move(dual));
  ASSERT_TRUE(changed) << changed.error();
  // A node anchored at the lab root, passing today.
  auto def = lab::scenario_origin("ok-fqdn");
  auto anchored = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(anchored) << anchored.error();
  const std::string other = def.connect_host + ":" + std::to_string((*anchored)->port());
  auto p = spawn_mratls({"check", "--trust", LabPki::get().trust_file, "--node",
                         "cucm2.steven.lab:" + std::to_string((*changed)->port()), "--node", other, "--hosts",
                         "cucm2.steven.lab=127.0.0.1", "--hosts", def.connect_host + "=127.0.0.1", "--from", "X12.7", "--json"});
  EXPECT_EQ(p.wait_exit(std::chrono::seconds(30)), 1) << p.output;
  const auto json = nlohmann::json::parse(p.output.substr(p.output.find('{')));
  bool judged = false;
  for (const auto& n : json["upgrade"]["nodes"])
    for (const auto& a : n["alternatives"])
      if (a["id"] == "trust-signer" && n["node"] == "cucm2.steven.lab") {
        judged = true;
        EXPECT_EQ(a["result"], "FAIL") << a;
        const std::string detail = a["detail"];
        EXPECT_NE(detail.find("replaces the trust store's 'mratls Lab Root CA'"), std::string::npos) << detail;
        EXPECT_NE(detail.find("node-ports that pass today would fail: " + other), std::string::npos) << detail;
      }
  EXPECT_TRUE(judged) << json["upgrade"].dump(2);
}

// A site whose string prefers RSA by !ECDSA: after the upgrade from X12.7 it passes, and the
// risk is judged under a string that really prefers ECDSA (the default), where it fails.
TEST(CheckUpgrade, TheRiskIsJudgedUnderTheOtherPreferenceWhateverTurnedIt) {
  const std::string site = std::string(config::kDefaultCiphers) + ":!ECDSA";
  auto [exit, out] = check_from("X12.7", {"--ciphers", site, "--json"});
  EXPECT_EQ(exit, 0) << out;
  auto json = nlohmann::json::parse(out.substr(out.find('{')));
  const auto& u = json["upgrade"];
  EXPECT_EQ(u["preference_after"], "RSA");
  EXPECT_EQ(u["ciphers_if_changed"], config::kDefaultCiphers);
  EXPECT_EQ(u["changed_how"], "back to the default string");
  EXPECT_EQ(u["failing_if_cipher_string_changes"], 1) << u;
  EXPECT_FALSE(u["nodes"][0]["if_cipher_string_changes"].get<bool>()) << u["nodes"][0];
}

// From X14.0 or later with a string that is not the default: the release notes speak of the
// default list, so whether the upgrade prepends the prefix to this one is not known. The string
// is named as not the default, and both outcomes are judged (issue 37, item 4).
TEST(CheckUpgrade, ACustomStringIsJudgedPrefixedAndKeptAsItIs) {
  const std::string custom = "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256";
  auto [exit, out] = check_from("X14.0.7", {"--ciphers", custom, "--json"});
  EXPECT_EQ(exit, 0) << out;
  auto json = nlohmann::json::parse(out.substr(out.find('{')));
  const auto& u = json["upgrade"];
  EXPECT_TRUE(u["custom_string"].get<bool>()) << u;
  EXPECT_NE(u["rule"].get<std::string>().find("not the default, so both outcomes are judged"), std::string::npos) << u["rule"];
  // Prefixed, RSA is preferred and the CA-signed RSA certificate passes; kept as it is, the
  // self-signed ECDSA one is presented and refused.
  EXPECT_EQ(u["failing_after"], 0);
  EXPECT_EQ(u["failing_if_kept_as_it_is"], 1) << u;
  EXPECT_FALSE(u["nodes"][0]["if_kept_as_it_is"].get<bool>()) << u["nodes"][0];
  EXPECT_NE(u["nodes"][0]["reason_if_kept_as_it_is"].get<std::string>().find("self-signed"), std::string::npos) << u["nodes"][0];
  auto text = check_from("X14.0.7", {"--ciphers", custom});
  EXPECT_NE(text.output.find("cipher string before: " + custom + " (not the default)"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("If the upgrade keeps the string as it is"), std::string::npos) << text.output;
  // The default string is no custom one.
  auto plain = check_from("X14.0.7", {"--json"});
  EXPECT_FALSE(nlohmann::json::parse(plain.output.substr(plain.output.find('{')))["upgrade"]["custom_string"].get<bool>());
}

TEST(CheckUpgrade, BadInputExitsTwoWithTheReason) {
  auto unknown = spawn_mratls({"check", "--node", "cucm.lab", "--from", "X99-beta"});
  EXPECT_EQ(unknown.wait_exit(), 2);
  EXPECT_NE(unknown.output.find("--from 'X99-beta' is not an Expressway release"), std::string::npos) << unknown.output;
  auto empty = spawn_mratls({"check", "--node", "cucm.lab", "--from", "X12.7", "--ciphers", ""});
  EXPECT_EQ(empty.wait_exit(), 2);
  EXPECT_NE(empty.output.find("--ciphers is empty"), std::string::npos) << empty.output;
  // OpenSSL skips a word it does not know, as the appliance does; a string of nothing else fails.
  auto nonsense = spawn_mratls({"check", "--node", "cucm.lab", "--from", "X12.7", "--ciphers", "NOT-A-CIPHER"});
  EXPECT_EQ(nonsense.wait_exit(), 2);
  EXPECT_NE(nonsense.output.find("--ciphers: OpenSSL selects no TLS 1.2 cipher from 'NOT-A-CIPHER'"), std::string::npos)
      << nonsense.output;
  // A string from the configuration file is named as the file's.
  const auto file = LabPki::get().dir / "check-ciphers.yaml";
  { std::ofstream(file) << "expressway:\n  ciphers: \"aNULL\"\n"; }
  auto from_file = spawn_mratls({"check", "--config", file.string(), "--node", "cucm.lab", "--from", "X12.7"});
  EXPECT_EQ(from_file.wait_exit(), 2);
  EXPECT_NE(from_file.output.find(file.string() + ": expressway.ciphers: 'aNULL' offers no TLS 1.2 cipher"), std::string::npos)
      << from_file.output;
  auto already = spawn_mratls({"check", "--node", "cucm.lab", "--from", "X14.2.1"});
  EXPECT_EQ(already.wait_exit(), 2);
  EXPECT_NE(already.output.find("--from X14.2.1 verifies origins already"), std::string::npos) << already.output;
}

// check --at: a node that passes today fails at a change after its certificate expires, and one
// that expires soon after the change is warned of.
TEST(CheckAtDate, TheVerdictIsTheOneOnTheDayOfTheChange) {
  auto def = lab::scenario_origin("ok-fqdn");
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(origin) << origin.error();
  const std::string node = def.connect_host + ":" + std::to_string((*origin)->port());
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"check", "--trust", LabPki::get().trust_file, "--node", node, "--hosts",
                                  def.connect_host + "=127.0.0.1", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto p = spawn_mratls(args);
    const int exit = p.wait_exit(std::chrono::seconds(30));
    return std::pair{exit, nlohmann::json::parse(p.output.substr(p.output.find('{')))};
  };
  auto [today_exit, today] = run({});
  ASSERT_EQ(today_exit, 0) << today.dump(2);
  EXPECT_TRUE(today["at"].is_null());
  const std::string not_after = today["probes"][0]["chain"][0]["not_after"];  // 2027-12-06T10:00:00Z
  const std::time_t expiry = *check::parse_change_date(not_after);
  const auto day = [](std::time_t t) { return verify::doctor::iso_day(t); };

  // Times to the second, so that the day counts do not depend on the hour the lab signed at.
  const std::time_t after_expiry = expiry + 2 * 86400;
  auto [late_exit, late] = run({"--at", verify::doctor::iso_time(after_expiry)});
  EXPECT_EQ(late_exit, 1) << late.dump(2);
  EXPECT_EQ(late["at"], verify::doctor::iso_time(after_expiry));
  for (const auto& p : late["probes"]) {
    EXPECT_FALSE(p["x142"].get<bool>()) << p;
    EXPECT_TRUE(p["before_x142"].get<bool>()) << "before X14.2 nothing is verified: " << p;
    EXPECT_EQ(p["cause"], "expired") << p;
    EXPECT_NE(p["reason"].get<std::string>().find("has expired at " + day(after_expiry) + ", the date of the change"),
              std::string::npos)
        << p["reason"];
  }

  auto [soon_exit, soon] = run({"--at", verify::doctor::iso_time(expiry - 10 * 86400)});
  EXPECT_EQ(soon_exit, 0) << soon.dump(2);
  bool warned = false;
  for (const auto& w : soon["date_warnings"])
    warned = warned || w.get<std::string>().find(" expires " + day(expiry) + ", 10 days after the change (presented by " + node +
                                                 ")") != std::string::npos;
  EXPECT_TRUE(warned) << soon["date_warnings"];

  // Long after every certificate: the trust store's root is named as expired by then too.
  auto [later_exit, later] = run({"--at", "2200-01-01"});
  EXPECT_EQ(later_exit, 1);
  bool root_named = false;
  for (const auto& w : later["date_warnings"])
    root_named = root_named || w.get<std::string>().find("the trust store's 'mratls Lab Root CA'") != std::string::npos;
  EXPECT_TRUE(root_named) << later["date_warnings"];

  auto bad = spawn_mratls({"check", "--node", node, "--at", "2027-02-30"});
  EXPECT_EQ(bad.wait_exit(), 2);
  EXPECT_NE(bad.output.find("--at '2027-02-30' is not a date"), std::string::npos) << bad.output;
}

// Each column is labelled by what its string makes a dual node present, as OpenSSL reads the
// string: "…:+ECDSA" and "…:!ECDSA" prefer RSA, "…:!aRSA" ECDSA, whatever prefix they carry or
// lack (issue 37, item 3). Against the lab's dual node, the certificate each row got is the one
// its label names.
TEST(CheckProbe, EachColumnIsLabelledByTheCertificateItsStringPrefers) {
  auto def = lab::scenario_origin("ecdsa-self-signed");
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(origin) << origin.error();
  const std::string node = def.connect_host + ":" + std::to_string((*origin)->port());
  const std::string base = config::kDefaultCiphers;
  for (const std::string& ciphers : {base + ":+ECDSA", base + ":!ECDSA", base + ":!aRSA", "ECDHE-RSA-AES256-GCM-SHA384:" + base}) {
    auto p = spawn_mratls({"check", "--trust", LabPki::get().trust_file, "--node", node, "--hosts", def.connect_host + "=127.0.0.1",
                           "--ciphers", ciphers, "--json"});
    const int exit = p.wait_exit(std::chrono::seconds(30));
    ASSERT_TRUE(exit == 0 || exit == 1) << ciphers << ": " << p.output;
    const auto out = nlohmann::json::parse(p.output.substr(p.output.find('{')));
    std::set<std::string> labels;
    for (const auto& probe : out["probes"]) {
      const std::string label = probe["preference"];
      labels.insert(label);
      ASSERT_FALSE(probe["chain"].empty()) << ciphers << ": " << probe;
      EXPECT_EQ(probe["chain"][0]["key_type"], label == "RSA-first" ? "RSA" : "ECDSA") << ciphers << ": " << probe;
    }
    EXPECT_EQ(labels, (std::set<std::string>{"ECDSA-first", "RSA-first"})) << ciphers;
  }
}

// Two problems on one node are two findings, and the fixes are written knowing each other
// (issue 37): a certificate that will have expired by the change and does not carry the node's
// name is reissued once, with both; an ECDSA certificate that is self-signed and will have expired
// is regenerated before it is uploaded. Judged at a change after the lab's leaves expire.
TEST(CheckAtDate, TwoProblemsOnOneNodeGetTheFixesThatCureBoth) {
  for (const std::string id : {"wrong-host", "ecdsa-self-signed"}) {
    auto def = lab::scenario_origin(id);
    auto origin = lab::MockOrigin::start(std::move(def.spec));
    ASSERT_TRUE(origin) << origin.error();
    const std::string node = def.connect_host + ":" + std::to_string((*origin)->port());
    auto run = [&](std::vector<std::string> extra) {
      std::vector<std::string> args{"check", "--trust", LabPki::get().trust_file, "--node", node, "--hosts",
                                    def.connect_host + "=127.0.0.1", "--json"};
      args.insert(args.end(), extra.begin(), extra.end());
      auto p = spawn_mratls(args);
      EXPECT_EQ(p.wait_exit(std::chrono::seconds(30)), 1) << p.output;
      return nlohmann::json::parse(p.output.substr(p.output.find('{')));
    };
    // Two days after the leaf expires, long before the lab's root does.
    const auto today = run({});
    const std::time_t expiry = *check::parse_change_date(today["probes"][0]["chain"][0]["not_after"].get<std::string>());
    const std::string change = verify::doctor::iso_day(expiry + 2 * 86400);
    const auto out = run({"--at", change});
    bool seen = false;
    for (const auto& probe : out["probes"]) {
      if (probe["preference"] != "ECDSA-first") continue;
      seen = true;
      const auto fixes = probe["fixes"];
      const std::string leaf_cn = probe["chain"][0]["subject_cn"];
      const std::string expired = probe["chain"][0]["not_after"];
      if (id == "wrong-host") {
        EXPECT_EQ(probe["cause"], "expired") << probe;
        ASSERT_EQ(fixes.size(), 1u) << probe;
        EXPECT_EQ(fixes[0], "Reissue '" + leaf_cn + "' of " + def.connect_host + " with " + def.connect_host +
                                " as a SAN, valid past " + change + " (the one it presents expired " + expired + ").")
            << probe;
      } else {
        EXPECT_EQ(probe["cause"], "self-signed") << probe;
        ASSERT_EQ(fixes.size(), 1u) << probe;
        EXPECT_TRUE(fixes[0].get<std::string>().starts_with("Regenerate the self-signed certificate '" + leaf_cn + "' of " +
                                                            def.connect_host + ", valid past " + change +
                                                            " (the one it presents expired " + expired + "), then upload the new one"))
            << probe;
      }
    }
    EXPECT_TRUE(seen) << out.dump(2);
  }
}

TEST(CheckUpgrade, TheMarkdownReportIsTheChangeBoardsPageForATicket) {
  const auto file = LabPki::get().dir / "check-report-test.md";
  std::filesystem::remove(file);
  auto [exit, out] = check_from("X12.7", {"--report", file.string()});
  EXPECT_EQ(exit, 1) << out;
  EXPECT_NE(out.find("mratls check: wrote " + file.string()), std::string::npos) << out;
  std::ifstream in(file);
  const std::string md((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(md.starts_with("# MRA origin verification: X12.7.0 to X14.2\n")) << md;
  EXPECT_NE(md.find("- **Cipher string:** upgrading from X12.7.0, below X14.0, leaves the cipher string as it is: ECDSA is preferred"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| before X14.2 | after the upgrade | if the cipher string changes | prepend ECDHE-RSA-AES256-GCM-SHA384: | "
                    "append :+ECDSA | add !ECDSA | trust the certificate that signed tomcat-ECDSA |"),
            std::string::npos)
      << md;
  EXPECT_TRUE(std::regex_search(md, std::regex("\\| cucm\\.steven\\.lab \\| 127\\.0\\.0\\.1 \\| [0-9]+ \\| pass \\| \\*\\*FAIL\\*\\* \\| pass \\| pass \\| pass \\| pass \\| pass \\|")))
      << md;
  EXPECT_NE(md.find("- Subject: CN=cucm-EC.steven.lab"), std::string::npos) << md;
  EXPECT_NE(md.find("1. **Expressway-C: Maintenance > Security > Trusted CA certificate**: Upload the self-signed certificate"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Revert it once the fixes are in: `xConfiguration EdgeConfigServer VerifyOriginServer: On`."), std::string::npos) << md;
  EXPECT_NE(md.find("- **Checked:** "), std::string::npos);

  // A report that cannot be written is refused before anything is probed.
  auto unwritable = spawn_mratls({"check", "--node", "cucm.lab", "--report", "/nonexistent-directory/plan.md"});
  EXPECT_EQ(unwritable.wait_exit(), 2);
  EXPECT_NE(unwritable.output.find("--report: cannot write /nonexistent-directory/plan.md"), std::string::npos) << unwritable.output;
  auto wrong = spawn_mratls({"check", "--node", "cucm.lab", "--report", "report.pdf"});
  EXPECT_EQ(wrong.wait_exit(), 2);
  EXPECT_NE(wrong.output.find("--report 'report.pdf': name a .html file"), std::string::npos) << wrong.output;
  // All or nothing: a run refused for its input leaves no file behind (it left an empty one),
  // and a written report leaves no temporary beside it.
  const auto plan = LabPki::get().dir / "refused-plan.html";
  std::filesystem::remove(plan);
  auto refused = spawn_mratls({"check", "--node", "cucm.lab", "--from", "X99.1", "--report", plan.string()});
  EXPECT_EQ(refused.wait_exit(), 2) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(plan)) << refused.output;
  for (const auto& e : std::filesystem::directory_iterator(file.parent_path()))
    EXPECT_EQ(e.path().string().find(".mratls-"), std::string::npos) << e.path();
}
