// The lab (issue: mratls lab and mratls login): origins present the certificate the client's
// preference selects, the login names the right failing step, and the whole matrix of the
// `mratls lab` command equals the table written here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <signal.h>

#include "lab/login_runner.hpp"
#include "lab/running_cluster.hpp"
#include "support.hpp"
#include "verify/cipher_preference.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

// The appliance's cipher string with the field's RSA-first prefix.
const std::string kRsaFirst = verify::rsa_first(config::Expressway{}.ciphers);

std::string presented_cn(const std::string& scenario, bool rsa_first) {
  auto def = lab::scenario_origin(scenario);
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  auto port = (*origin)->port();
  auto config = base_config(LabPki::get());
  config.expressway.verify_origin_server = config::VerifyOriginServer::Off;
  if (rsa_first) config.expressway.ciphers = kRsaFirst;
  config.allow_list.push_back({"https://cucm.steven.lab:" + std::to_string(port) + "/cucm-uds/", config::MatchType::Prefix, {"GET"}});
  ProxyUnderTest proxy(config);
  Client client(proxy.port());
  EXPECT_EQ(client.exchange(get_request("/" + segment_for("cucm.steven.lab", port) + "/cucm-uds/version")).status, 200);
  return (*origin)->last_presented_cn();
}

struct Output {
  int code;
  std::string text;
};

Output run(const std::string& args) {
  Output o{-1, {}};
  FILE* p = popen((std::string(MRATLS_BINARY) + " " + args + " 2>&1").c_str(), "r");
  if (!p) return o;
  std::array<char, 4096> buf;
  while (auto n = fread(buf.data(), 1, buf.size(), p)) o.text.append(buf.data(), n);
  int status = pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

}  // namespace

TEST(DualCertificateOrigin, Tls12PresentsWhatTheCipherPreferenceSelects) {
  EXPECT_EQ(presented_cn("ecdsa-self-signed", false), "cucm-EC.steven.lab");
  EXPECT_EQ(presented_cn("ecdsa-self-signed", true), "cucm.steven.lab");
}

TEST(DualCertificateOrigin, Tls13PresentsEcdsaWhateverTheCipherString) {
  EXPECT_EQ(presented_cn("ecdsa-self-signed-tls13", false), "cucm-EC.steven.lab");
  EXPECT_EQ(presented_cn("ecdsa-self-signed-tls13", true), "cucm-EC.steven.lab");
}

TEST(Login, NamesTheFirstFailingStepOfTheFieldMixCluster) {
  lab::LabCluster mix;
  for (auto& c : lab::lab_clusters())
    if (c.id == "field-mix") mix = std::move(c);
  ASSERT_EQ(mix.id, "field-mix");
  auto cluster = lab::RunningCluster::start(mix);
  ASSERT_TRUE(cluster) << cluster.error();
  auto config = base_config(LabPki::get());
  config.hosts.clear();
  (*cluster)->configure_proxy(config);
  ProxyUnderTest proxy(config);
  auto outcome = lab::run_login("127.0.0.1", proxy.port(), (*cluster)->login_target("vcs_control.steven.lab"),
                                lab::evidence_of(proxy.in_process()));

  std::map<std::string, int> status;
  for (const auto& s : outcome.steps) status[s.step.name] = s.status;
  EXPECT_EQ(status["UDS version on the publisher"], 200);
  EXPECT_EQ(status["UDS home cluster lookup on the publisher"], 200);
  EXPECT_EQ(status["UDS user details on the home node"], 502);
  EXPECT_EQ(status["TFTP device configuration CSFemusk.cnf.xml"], 502);
  EXPECT_EQ(status["IM&P login (EPASSoap)"], 200);
  EXPECT_EQ(status["Unity Connection voicemail (vmrest)"], 502);

  ASSERT_TRUE(outcome.first_failure.has_value());
  const auto& first = outcome.steps[*outcome.first_failure];
  EXPECT_EQ(first.step.name, "UDS user details on the home node");
  EXPECT_EQ(first.step.origin, "https://127.0.23.12:8443");
  EXPECT_EQ(first.diagnosis.cause, verify::Cause::IpNotInCertificate);
  ASSERT_EQ(first.reasons.size(), 2u);
  EXPECT_NE(first.reasons[0].find("WARNING: SNI (127.0.23.12) not in certificate. Action=Terminate server=127.0.23.12(127.0.23.12)"),
            std::string::npos);
  for (const auto& s : outcome.steps) {
    if (s.step.name == "TFTP device configuration CSFemusk.cnf.xml") {
      EXPECT_EQ(s.diagnosis.cause, verify::Cause::SelfSigned);
    }
    if (s.step.name == "Unity Connection voicemail (vmrest)") {
      // Unity sends its certificate alone: that its issuer is an intermediate, nothing on the wire says.
      EXPECT_EQ(s.diagnosis.cause, verify::Cause::UntrustedChain);
      EXPECT_NE(s.diagnosis.fix.find("'mratls Lab Issuing CA' (key id "), std::string::npos) << s.diagnosis.fix;
    }
  }
}

TEST(LabCommand, MatrixEqualsTheExpectedTable) {
  auto out = run("lab --json");
  ASSERT_EQ(out.code, 0) << out.text;
  auto json = nlohmann::json::parse(out.text);
  // X14.2.0 with VerifyOriginServer On: ECDSA-first, RSA-first. Everything else answers 200,
  // except the always_502 rows.
  const std::map<std::string, std::pair<int, int>> on = {
      {"ok-fqdn", {200, 200}},           {"self-signed", {502, 502}},          {"unknown-ca", {502, 502}},
      {"ip-not-in-san", {502, 502}},     {"ip-as-dns-san", {200, 200}},        {"ip-address-san", {502, 502}},
      {"cn-fallback", {200, 200}},       {"ecdsa-self-signed", {502, 200}},    {"ecdsa-self-signed-tls13", {502, 502}},
      {"missing-intermediate", {502, 502}}, {"expired", {502, 502}},           {"untrusted-root-sent", {502, 502}},
      {"wrong-host", {502, 502}},        {"field-mix", {502, 502}},         {"client-cert-6972", {502, 502}},
      {"intermediate-left-out", {502, 502}}, {"rekeyed-ca", {502, 502}},    {"client-cert-6972-tls13", {502, 502}},
  };
  // Not a verification failure: the node refuses Expressway-C's client certificate whatever the
  // version and VerifyOriginServer say.
  const std::set<std::string> always_502 = {"client-cert-6972", "client-cert-6972-tls13"};
  ASSERT_EQ(json["matrix"].size(), on.size());
  for (const auto& row : json["matrix"]) {
    const std::string id = row["scenario"];
    ASSERT_TRUE(on.contains(id)) << id;
    ASSERT_EQ(row["results"].size(), 12u);
    for (const auto& cell : row["results"]) {
      const std::string setting = cell["setting"];
      int expected = always_502.contains(id) ? 502 : 200;
      if (setting == "X14.2.0 on ECDSA-first") expected = on.at(id).first;
      if (setting == "X14.2.0 on RSA-first") expected = on.at(id).second;
      EXPECT_EQ(cell["status"].get<int>(), expected) << id << " / " << setting;
    }
  }
  ASSERT_EQ(json["sequences"].size(), 3u);
  EXPECT_EQ(json["sequences"][0]["status"], 200);
  EXPECT_EQ(json["sequences"][1]["status"], 502);
  EXPECT_EQ(json["sequences"][2]["status"], 502);
}

TEST(LabCommand, TextOutputShowsTheMatrixAndTheFailingLines) {
  auto out = run("lab");
  ASSERT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("== An MRA login"), std::string::npos);
  EXPECT_NE(out.text.find("field-mix"), std::string::npos);
  EXPECT_NE(out.text.find("[ET_NET 0] WARNING: Core server certificate verification failed for (cucm.steven.lab). "
                          "Action=Terminate Error=self signed certificate server=cucm.steven.lab(127.0.0.11) depth=0"),
            std::string::npos);
  EXPECT_NE(out.text.find("Short-term workaround, not a fix: xConfiguration EdgeConfigServer VerifyOriginServer: Off "
                          "(it does not cure client-cert-6972, client-cert-6972-tls13)\n"),
            std::string::npos);
  EXPECT_EQ(out.text.find("\033["), std::string::npos) << "no colour when not on a terminal";
}

TEST(LabCommand, ARefusedClientCertificateIsNotCalledAVerificationFailure) {
  auto out = run("lab --scenario client-cert-6972");
  ASSERT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': error:14094418:SSL "
                          "routines:ssl3_read_bytes:tlsv1 alert unknown ca"),
            std::string::npos)
      << out.text;
  EXPECT_NE(out.text.find("fix: Upload the Expressway-C certificate's CA chain to CUCM's tomcat-trust"), std::string::npos)
      << out.text;
  EXPECT_NE(out.text.find("VerifyOriginServer Off does not help here: this is not origin verification."), std::string::npos)
      << out.text;
  EXPECT_EQ(out.text.find("Short-term workaround"), std::string::npos) << "Off would not help: no workaround offered";
}

TEST(LabCommand, UnderTls13TheRefusedClientCertificateGetsTheSameVerdict) {
  auto out = run("lab --scenario client-cert-6972-tls13 --verify on");
  ASSERT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("tlsv1 alert unknown ca"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("VerifyOriginServer Off does not help here"), std::string::npos) << out.text;
  EXPECT_EQ(out.text.find("listens with TLS"), std::string::npos) << out.text;
}

TEST(LabCommand, LogOnlyShowsTheActionContinueLines) {
  auto out = run("lab --scenario self-signed --verify log-only");
  ASSERT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("== What log-only writes"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("WARNING: Core server certificate verification failed for (cucm.steven.lab). Action=Continue "
                          "Error=self signed certificate"),
            std::string::npos)
      << out.text;
}

// A presenter has no log file: the lab prints a login command that reads the failing steps'
// lines from the admin listener, and every failing step is explained with its own lines.
TEST(LabCommand, TheLoginCommandItPrintsExplainsFromTheAdminListener) {
  auto lab = spawn_mratls({"lab", "--scenario", "field-mix", "--keep-running", "--port", "0", "--admin-port", "0"});
  ASSERT_TRUE(lab.wait_for("Ctrl-C stops the lab.")) << lab.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(lab.output, m,
                                std::regex(R"(\[field-mix\] mratls login --proxy (127\.0\.0\.1:\d+) --admin (127\.0\.0\.1:\d+) --cucm (\S+) --imp (\S+) --unity (\S+))")))
      << lab.output;
  auto login = spawn_mratls({"login", "--proxy", m[1].str(), "--admin", m[2].str(), "--cucm", m[3].str(), "--imp", m[4].str(),
                             "--unity", m[5].str()});
  EXPECT_EQ(login.wait_exit(std::chrono::seconds(30)), 1) << login.output;
  EXPECT_NE(login.output.find("first failing step: UDS user details on the home node -> 502\n    "), std::string::npos)
      << login.output;
  EXPECT_NE(login.output.find("WARNING: SNI (127.0.23.12) not in certificate. Action=Terminate"), std::string::npos) << login.output;
  EXPECT_NE(login.output.find("cause: the cluster advertises a node by IP address 127.0.23.12"), std::string::npos) << login.output;
  EXPECT_NE(login.output.find("also failing: TFTP device configuration CSFemusk.cnf.xml -> 502"), std::string::npos) << login.output;
  EXPECT_EQ(login.output.find("to see why"), std::string::npos) << "every step explained: " << login.output;
  kill(lab.pid, SIGINT);
  EXPECT_EQ(lab.wait_exit(), 0) << lab.output;
}

TEST(LabCommand, ClustersThatShareNamesAreSaidToShadowEachOther) {
  auto lab = spawn_mratls({"lab", "--keep-running", "--port", "0"});
  ASSERT_TRUE(lab.wait_for("Ctrl-C stops the lab.", std::chrono::seconds(60))) << lab.output;
  EXPECT_NE(lab.output.find("clusters advertise cucm.steven.lab (ok-fqdn, self-signed, ...): behind one proxy the name reaches "
                            "one of them only"),
            std::string::npos)
      << lab.output;
  kill(lab.pid, SIGINT);
  EXPECT_EQ(lab.wait_exit(), 0) << lab.output;
}

TEST(LabCommand, UnknownScenarioIsAUsageError) {
  auto out = run("lab --scenario no-such-thing");
  EXPECT_EQ(out.code, 2);
  EXPECT_NE(out.text.find("unknown scenario 'no-such-thing'"), std::string::npos);
}

TEST(LabCommand, KeepRunningServesLoginsUntilInterrupted) {
  auto lab = spawn_mratls({"lab", "--scenario", "field-mix", "--keep-running", "--port", "0"});
  ASSERT_TRUE(lab.wait_for("Ctrl-C stops the lab.")) << lab.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(lab.output, m, std::regex(R"(Proxy: http://127\.0\.0\.1:(\d+))"))) << lab.output;
  EXPECT_NE(lab.output.find("(X14.2.0 on ECDSA-first)"), std::string::npos) << lab.output;
  EXPECT_NE(lab.output.find("[field-mix] 127.0.23.12:8443  curl"), std::string::npos) << lab.output;

  auto login = spawn_mratls({"login", "--proxy", "127.0.0.1:" + m[1].str(), "--cucm", "cucm1.steven.lab", "--imp",
                             "imp.steven.lab", "--unity", "cuc.steven.lab"});
  EXPECT_EQ(login.wait_exit(std::chrono::seconds(30)), 1) << login.output;
  EXPECT_NE(login.output.find("first failing step: UDS user details on the home node -> 502"), std::string::npos)
      << login.output;
  // Every failing step is explained, not the first alone: TFTP on 6972 and Unity fail too.
  EXPECT_NE(login.output.find("also failing: TFTP device configuration CSFemusk.cnf.xml -> 502"), std::string::npos)
      << login.output;
  EXPECT_NE(login.output.find("also failing: Unity Connection voicemail (vmrest) -> 502"), std::string::npos) << login.output;

  kill(lab.pid, SIGINT);
  EXPECT_EQ(lab.wait_exit(), 0) << lab.output;
  EXPECT_NE(lab.output.find("WARNING: SNI (127.0.23.12) not in certificate. Action=Terminate"), std::string::npos);
  EXPECT_NE(lab.output.find("The lab stopped."), std::string::npos);
}
