// The lab (issue: mratls lab and mratls login): origins present the certificate the client's
// preference selects, the login names the right failing step, and the whole matrix of the
// `mratls lab` command equals the table written here.
#include <gtest/gtest.h>

#include <sstream>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <signal.h>

#include "control/admin_client.hpp"
#include "lab/login_runner.hpp"
#include "lab/runner.hpp"
#include "lab/running_cluster.hpp"
#include "support.hpp"
#include "verify/cipher_preference.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

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

// What a login to each cluster answers under X14.2.0 with VerifyOriginServer On: ECDSA-first,
// RSA-first. Everything else answers 200, except the client-certificate clusters.
const std::map<std::string, std::pair<int, int>>& x142_on() {
  static const std::map<std::string, std::pair<int, int>> table = {
      {"ok-fqdn", {200, 200}},           {"self-signed", {502, 502}},          {"unknown-ca", {502, 502}},
      {"ip-not-in-san", {502, 502}},     {"ip-as-dns-san", {200, 200}},        {"ip-address-san", {502, 502}},
      {"cn-fallback", {200, 200}},       {"ecdsa-self-signed", {502, 200}},    {"ecdsa-self-signed-tls13", {502, 502}},
      {"missing-intermediate", {502, 502}}, {"expired", {502, 502}},           {"untrusted-root-sent", {502, 502}},
      {"wrong-host", {502, 502}},        {"field-mix", {502, 502}},         {"client-cert-6972", {502, 502}},
      {"intermediate-left-out", {502, 502}}, {"rekeyed-ca", {502, 502}},    {"client-cert-6972-tls13", {502, 502}},
      {"expired-wrong-host", {502, 502}}, {"self-signed-expired", {502, 502}}, {"unknown-ca-wrong-host", {502, 502}},
  };
  return table;
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
  auto started = lab::start_lab("field-mix");
  ASSERT_TRUE(started) << started.error();
  ASSERT_EQ(started->clusters.size(), 1u);
  const auto& cluster = started->clusters.front();
  ASSERT_EQ(cluster->cluster().id, "field-mix");
  const std::string subscriber = started->placement.block.address(202);
  auto config = base_config(LabPki::get());
  config.hosts.clear();
  cluster->configure_proxy(config);
  ProxyUnderTest proxy(config);
  auto outcome = lab::run_login("127.0.0.1", proxy.port(), cluster->login_target("vcs_control.steven.lab"),
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
  EXPECT_EQ(first.step.origin, "https://" + subscriber + ":8443");
  EXPECT_EQ(first.diagnosis.cause, verify::Cause::IpNotInCertificate);
  ASSERT_EQ(first.reasons.size(), 2u);
  EXPECT_NE(first.reasons[0].find("WARNING: SNI (" + subscriber + ") not in certificate. Action=Terminate server=" + subscriber +
                                  "(" + subscriber + ")"),
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

// Log-only (the emulator's preview of Traffic Server's permissive policy) lets the field-mix login
// through; every step On would refuse is said with the finding and the fix On gives, never as
// a success (issue 37).
TEST(Login, UnderLogOnlyWhatOnWouldRefuseIsSaidNotPassed) {
  auto started = lab::start_lab("field-mix");
  ASSERT_TRUE(started) << started.error();
  const auto& cluster = started->clusters.front();
  auto config = base_config(LabPki::get());
  config.hosts.clear();
  cluster->configure_proxy(config);
  config.expressway.verify_origin_server = config::VerifyOriginServer::LogOnly;
  ProxyUnderTest proxy(config);
  auto outcome = lab::run_login("127.0.0.1", proxy.port(), cluster->login_target("vcs_control.steven.lab"),
                                lab::evidence_of(proxy.in_process()), {}, true);
  EXPECT_FALSE(outcome.first_failure.has_value());
  std::map<std::string, verify::Cause> warned;
  for (const auto& s : outcome.steps) {
    EXPECT_EQ(s.status, 200) << s.step.name;
    if (s.diagnosis.cause == verify::Cause::None) continue;
    warned[s.step.name] = s.diagnosis.cause;
    EXPECT_TRUE(s.diagnosis.summary.starts_with("passes only because of log-only")) << s.diagnosis.summary;
    EXPECT_FALSE(s.diagnosis.fix.empty());
  }
  // Every step to a node that On refuses: the subscriber by IP (two steps), the publisher's 6972
  // (two), Unity.
  EXPECT_EQ(warned, (std::map<std::string, verify::Cause>{{"UDS user details on the home node", verify::Cause::IpNotInCertificate},
                                                          {"UDS devices on the home node", verify::Cause::IpNotInCertificate},
                                                          {"TFTP jabber-config.xml", verify::Cause::SelfSigned},
                                                          {"TFTP device configuration CSFemusk.cnf.xml", verify::Cause::SelfSigned},
                                                          {"Unity Connection voicemail (vmrest)", verify::Cause::UntrustedChain}}));
  EXPECT_EQ(outcome.warned(), 5u);
  std::ostringstream text;
  lab::print_login(outcome, text);
  EXPECT_EQ(text.str().find("login succeeded"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("login went through only because of log-only"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("5 steps would fail under On"), std::string::npos) << text.str();
}

TEST(LabCommand, MatrixEqualsTheExpectedTable) {
  auto out = run("lab --json");
  ASSERT_EQ(out.code, 0) << out.text;
  auto json = nlohmann::json::parse(out.text);
  const auto& on = x142_on();
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
  const auto block = lab_block(out.text);
  ASSERT_FALSE(block.empty()) << out.text;
  EXPECT_NE(out.text.find("[ET_NET 0] WARNING: Core server certificate verification failed for (cucm.steven.lab). "
                          "Action=Terminate Error=self signed certificate server=cucm.steven.lab(" + block + ".5) depth=0"),
            std::string::npos);
  // Every cluster runs on names of its own (issue 21, item 1).
  EXPECT_NE(out.text.find("failed for (cucm.self-signed.steven.lab). Action=Terminate Error=self signed certificate "
                          "server=cucm.self-signed.steven.lab(" + block + ".12) depth=0"),
            std::string::npos)
      << out.text;
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
                                std::regex(R"(\[field-mix\] mratls login --proxy (127\.0\.0\.1:\d+) --admin (127\.0\.0\.1:\d+) --cucm (\S+) --tftp (\S+) --imp (\S+) --unity (\S+))")))
      << lab.output;
  auto login = spawn_mratls({"login", "--proxy", m[1].str(), "--admin", m[2].str(), "--cucm", m[3].str(), "--tftp", m[4].str(),
                             "--imp", m[5].str(), "--unity", m[6].str()});
  EXPECT_EQ(login.wait_exit(std::chrono::seconds(30)), 1) << login.output;
  EXPECT_NE(login.output.find("first failing step: UDS user details on the home node -> 502\n    "), std::string::npos)
      << login.output;
  const auto subscriber = lab_block(lab.output) + ".202";
  EXPECT_NE(login.output.find("WARNING: SNI (" + subscriber + ") not in certificate. Action=Terminate"), std::string::npos)
      << login.output;
  EXPECT_NE(login.output.find("cause: the cluster advertises a node by IP address " + subscriber), std::string::npos)
      << login.output;
  EXPECT_NE(login.output.find("also failing: TFTP device configuration CSFemusk.cnf.xml -> 502"), std::string::npos) << login.output;
  EXPECT_EQ(login.output.find("to see why"), std::string::npos) << "every step explained: " << login.output;
  kill(lab.pid, SIGINT);
  EXPECT_EQ(lab.wait_exit(), 0) << lab.output;
}

// Behind one proxy every cluster has names of its own (issue 21, item 1): no two clusters print
// the same command, each printed command reaches its own node, and a login to each cluster
// through the page's API gets that cluster's answer, not the one node they all used to share.
TEST(LabCommand, EveryKeptClusterReachesItsOwnNodes) {
  auto lab = spawn_mratls({"lab", "--keep-running", "--port", "0", "--admin-port", "0"});
  ASSERT_TRUE(lab.wait_for("Ctrl-C stops the lab.", std::chrono::seconds(120))) << lab.output;
  EXPECT_NE(lab.output.find("each cluster has a domain of its own, <cluster>.steven.lab"), std::string::npos) << lab.output;
  const std::regex curl(R"(\[(\S+)\] (\S+):(\d+)  curl -s -o /dev/null -w '%\{http_code\}\\n' http://127\.0\.0\.1:(\d+)(/\S+))");
  std::set<std::string> targets;
  std::map<std::string, int> uds;
  for (std::sregex_iterator it(lab.output.begin(), lab.output.end(), curl), end; it != end; ++it) {
    const auto& m = *it;
    EXPECT_TRUE(targets.insert(m[5].str()).second) << "two commands share " << m[5];
    if (m[3] != "8443" || !x142_on().contains(m[1].str()) || m[1] == "field-mix") continue;
    Client client(static_cast<std::uint16_t>(std::stoi(m[4].str())));
    uds[m[1].str()] = client.exchange(get_request(m[5].str())).status;
  }
  EXPECT_GE(targets.size(), 40u) << lab.output;
  const std::set<std::string> passes = {"ok-fqdn", "ip-as-dns-san", "cn-fallback", "client-cert-6972", "client-cert-6972-tls13"};
  EXPECT_EQ(uds.size(), x142_on().size() - 1) << lab.output;
  for (const auto& [id, status] : uds) EXPECT_EQ(status, passes.contains(id) ? 200 : 502) << id;

  std::smatch admin;
  ASSERT_TRUE(std::regex_search(lab.output, admin, std::regex(R"(Open http://127\.0\.0\.1:(\d+)/)"))) << lab.output;
  const control::AdminTarget to{"127.0.0.1", static_cast<std::uint16_t>(std::stoi(admin[1].str())), ""};
  for (const auto& [id, expected] : x142_on()) {
    const nlohmann::json body{{"cluster", id}};
    auto reply = control::admin_call(to, "POST", "/api/login", &body);
    ASSERT_TRUE(reply) << reply.error();
    EXPECT_EQ(reply->body["status"], expected.first) << id << ": " << reply->text;
  }
  kill(lab.pid, SIGINT);
  EXPECT_EQ(lab.wait_exit(), 0) << lab.output;
}

// Two labs, or a lab and the test suite, at once (issue 21, item 2): each takes a loopback block
// of its own and says which; --loopback pins one, and a pinned block in use is refused by name.
TEST(LabCommand, TwoLabsTakeTwoLoopbackBlocks) {
  auto first = spawn_mratls({"lab", "--scenario", "self-signed", "--keep-running", "--port", "0"});
  ASSERT_TRUE(first.wait_for("Ctrl-C stops the lab.")) << first.output;
  auto second = spawn_mratls({"lab", "--scenario", "self-signed", "--keep-running", "--port", "0"});
  ASSERT_TRUE(second.wait_for("Ctrl-C stops the lab.")) << second.output;
  const auto a = lab_block(first.output), b = lab_block(second.output);
  ASSERT_FALSE(a.empty()) << first.output;
  ASSERT_FALSE(b.empty()) << second.output;
  EXPECT_NE(a, b);
  EXPECT_NE(second.output.find("[self-signed] cucm.steven.lab:8443  curl"), std::string::npos) << second.output;

  auto pinned = spawn_mratls({"lab", "--scenario", "self-signed", "--loopback", a + ".0/24"});
  EXPECT_EQ(pinned.wait_exit(std::chrono::seconds(30)), 2) << pinned.output;
  EXPECT_NE(pinned.output.find("--loopback " + a + ".0/24: " + a + ".12:"), std::string::npos) << pinned.output;
  EXPECT_NE(pinned.output.find(" is in use (another mratls lab in this block?"), std::string::npos) << pinned.output;
  auto bad = spawn_mratls({"lab", "--loopback", "127.0.10.7/24"});
  EXPECT_EQ(bad.wait_exit(), 2) << bad.output;
  EXPECT_NE(bad.output.find("'127.0.10.7/24' has host bits set (expected 127.X.Y.0/24)"), std::string::npos) << bad.output;
  kill(first.pid, SIGINT);
  kill(second.pid, SIGINT);
  EXPECT_EQ(first.wait_exit(), 0) << first.output;
  EXPECT_EQ(second.wait_exit(), 0) << second.output;
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
  const auto subscriber = lab_block(lab.output) + ".202";
  EXPECT_NE(lab.output.find("[field-mix] " + subscriber + ":8443  curl"), std::string::npos) << lab.output;

  auto login = spawn_mratls({"login", "--proxy", "127.0.0.1:" + m[1].str(), "--cucm", "cucm1.steven.lab", "--tftp",
                             "tftp.steven.lab", "--imp", "imp.steven.lab", "--unity", "cuc.steven.lab"});
  EXPECT_EQ(login.wait_exit(std::chrono::seconds(30)), 1) << login.output;
  EXPECT_NE(login.output.find("first failing step: UDS user details on the home node -> 502"), std::string::npos)
      << login.output;
  // Every failing step is explained, not the first alone: TFTP on 6972 and Unity fail too.
  EXPECT_NE(login.output.find("also failing: TFTP device configuration CSFemusk.cnf.xml -> 502"), std::string::npos)
      << login.output;
  EXPECT_NE(login.output.find("also failing: Unity Connection voicemail (vmrest) -> 502"), std::string::npos) << login.output;

  kill(lab.pid, SIGINT);
  EXPECT_EQ(lab.wait_exit(), 0) << lab.output;
  EXPECT_NE(lab.output.find("WARNING: SNI (" + subscriber + ") not in certificate. Action=Terminate"), std::string::npos);
  EXPECT_NE(lab.output.find("The lab stopped."), std::string::npos);
}
