// A node that asks for a client certificate (CUCM on 6972): the proxy presents Expressway-C's
// server certificate; a node that does not trust its CA ends the handshake with `unknown ca`,
// which the proxy logs as the appliance does — and VerifyOriginServer Off does not change it.
#include <gtest/gtest.h>

#include <algorithm>

#include <openssl/x509_vfy.h>

#include <nlohmann/json.hpp>

#include "check/probe.hpp"
#include "check/report.hpp"
#include "lab/scenarios.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

constexpr const char* kUnknownCa =
    "[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': error:14094418:SSL routines:ssl3_read_bytes:tlsv1 "
    "alert unknown ca";

struct Result {
  int status = 0;
  std::vector<std::string> lines;
  int origin_handshakes = 0;
};

// The lab's ok-fqdn node, asking for a client certificate signed by `client_ca`.
Result request_through_proxy(const lab::Issued& client_ca, bool present_certificate, config::VerifyOriginServer verify,
                             bool tls13 = false, const std::string& host = "cucm.steven.lab", int retries = 0) {
  auto def = lab::scenario_origin("ok-fqdn");
  def.spec.client_certificate_cas = {client_ca};
  def.spec.tls13 = tls13;
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  const auto port = (*origin)->port();

  auto config = base_config(LabPki::get());
  config.expressway.verify_origin_server = verify;
  config.expressway.connect_attempts_max_retries = retries;
  if (present_certificate) {
    const auto& expressway = lab::LabAuthorities::shared().expressway;
    config.expressway.server_certificate = write_file("client-cert/vcsc.pem", expressway.cert_pem());
    config.expressway.server_private_key = write_file("client-cert/vcsc.key", expressway.key_pem());
  }
  config.allow_list.push_back({"https://" + host + ":" + std::to_string(port) + "/", config::MatchType::Prefix, {"GET"}});
  config.hosts[host] = "127.0.0.1";
  ProxyUnderTest proxy(config);
  Client client(proxy.port());
  auto response = client.exchange(get_request("/" + segment_for(host, port) + "/CSFemusk.cnf.xml"));
  EXPECT_TRUE(proxy.sink().wait_for("Detail=\"Sending Response\""));
  return {response.status, proxy.masked_lines({port}), (*origin)->handshakes()};
}

bool has_line(const std::vector<std::string>& lines, const std::string& needle) {
  return std::ranges::any_of(lines, [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

std::string lines_text(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST(ClientCertificate, NodeThatDoesNotTrustExpresswayRefusesItWithUnknownCa) {
  for (auto verify : {config::VerifyOriginServer::On, config::VerifyOriginServer::Off}) {
    auto r = request_through_proxy(lab::LabAuthorities::shared().other_root, true, verify);
    EXPECT_EQ(r.status, 502) << config::to_string(verify);
    EXPECT_TRUE(has_line(r.lines, kUnknownCa)) << config::to_string(verify) << "\n" << lines_text(r.lines);
    EXPECT_FALSE(has_line(r.lines, "Core server certificate verification failed")) << lines_text(r.lines);
    EXPECT_TRUE(has_line(r.lines, "Msg=\"HTTP/1.1 502 connect failed\"")) << lines_text(r.lines);
  }
}

TEST(ClientCertificate, UnderTls13TheRefusalArrivesAfterTheHandshakeAndReadsTheSame) {
  auto r = request_through_proxy(lab::LabAuthorities::shared().other_root, true, config::VerifyOriginServer::On, true);
  EXPECT_EQ(r.status, 502);
  EXPECT_TRUE(has_line(r.lines, kUnknownCa)) << lines_text(r.lines);
  EXPECT_FALSE(has_line(r.lines, "connection closed before a response")) << lines_text(r.lines);
}

// A node advertised by an IP that the hosts map sends to loopback (a replayed site): the alert
// that arrives after a TLS 1.3 handshake names the IP as advertised, as the connector's lines do.
// Failed before: it named 127.0.0.1.
TEST(ClientCertificate, UnderTls13AnIpMappedByHostsIsNamedAsAdvertised) {
  auto r = request_through_proxy(lab::LabAuthorities::shared().other_root, true, config::VerifyOriginServer::Off, true,
                                 "10.48.36.215");
  EXPECT_EQ(r.status, 502);
  EXPECT_TRUE(has_line(r.lines, "[ET_NET 0] ERROR: SSL connection failed for '10.48.36.215': error:14094418:SSL routines:"
                                "ssl3_read_bytes:tlsv1 alert unknown ca"))
      << lines_text(r.lines);
  EXPECT_FALSE(has_line(r.lines, "'127.0.0.1'")) << lines_text(r.lines);
}

TEST(ClientCertificate, NodeThatTrustsExpresswaysCaServes) {
  auto r = request_through_proxy(lab::LabAuthorities::shared().root, true, config::VerifyOriginServer::On);
  EXPECT_EQ(r.status, 200) << lines_text(r.lines);
  EXPECT_FALSE(has_line(r.lines, "ERROR")) << lines_text(r.lines);
}

TEST(ClientCertificate, WithoutAServerCertificateNothingIsPresentedAndTheNodeServes) {
  auto r = request_through_proxy(lab::LabAuthorities::shared().other_root, false, config::VerifyOriginServer::On);
  EXPECT_EQ(r.status, 200) << lines_text(r.lines);
}

TEST(ClientCertificate, ABrokenServerCertificateIsAConfigurationErrorNamingTheFile) {
  auto config = base_config(LabPki::get());
  config.expressway.server_certificate = write_file("client-cert/broken.pem", "not a certificate\n");
  config.expressway.server_private_key = write_file("client-cert/vcsc.key", lab::LabAuthorities::shared().expressway.key_pem());
  auto started = lab::InProcessProxy::start(config);
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().find("broken.pem: not a PEM server certificate"), std::string::npos) << started.error();

  config.expressway.server_certificate = write_file("client-cert/vcsc.pem", lab::LabAuthorities::shared().expressway.cert_pem());
  config.expressway.server_private_key = write_file("client-cert/other.key", lab::LabAuthorities::shared().root.key_pem());
  auto mismatched = lab::InProcessProxy::start(config);
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().find("other.key: not the key of"), std::string::npos) << mismatched.error();
}

// Under TLS 1.3 the handshake completes and the refusal is an alert on the first read: check
// must send a request to see it, and then judge it as under TLS 1.2 (it once reported a pass).
class CheckClientCertificate : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(ClientCertificate, CheckClientCertificate, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Tls13" : "Tls12"; });

TEST_P(CheckClientCertificate, CheckNamesTheRefusalAndOffersNoVerificationWorkaround) {
  auto def = lab::scenario_origin("ok-fqdn");
  def.spec.tls13 = GetParam();
  def.spec.client_certificate_cas = {lab::LabAuthorities::shared().other_root};
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(origin) << origin.error();
  const auto& expressway = lab::LabAuthorities::shared().expressway;
  write_file("client-cert/check/vcsc.pem", expressway.cert_pem());
  write_file("client-cert/check/vcsc.key", expressway.key_pem());
  auto yaml = write_file("client-cert/check/site.yaml",
                         "expressway:\n  trusted_ca_certificates: [" + LabPki::get().trust_file +
                             "]\n  server_certificate: vcsc.pem\n  server_private_key: vcsc.key\n"
                             "hosts: { cucm.steven.lab: 127.0.0.1 }\n");
  auto p = spawn_mratls({"check", "--config", yaml, "--node", "cucm.steven.lab:" + std::to_string((*origin)->port()),
                         "--type", "cucm", "--show-logs"});
  EXPECT_EQ(p.wait_exit(), 1) << p.output;
  EXPECT_NE(p.output.find("ERROR: SSL connection failed for 'cucm.steven.lab': error:14094418:SSL "
                          "routines:ssl3_read_bytes:tlsv1 alert unknown ca"),
            std::string::npos)
      << p.output;
  EXPECT_NE(p.output.find("the node refused Expressway-C's client certificate (alert 'unknown ca')"), std::string::npos) << p.output;
  EXPECT_NE(p.output.find("- Upload the Expressway-C certificate's CA chain to CUCM's tomcat-trust and CallManager-trust."),
            std::string::npos)
      << p.output;
  EXPECT_EQ(p.output.find("Short-term workaround"), std::string::npos) << p.output;
}

// Every alert a node sends about the client certificate, under TLS 1.2 and 1.3, is the
// client-certificate verdict with its fix, never "check that it listens with TLS".
struct AlertCase {
  std::string name;
  bool tls13;
  bool present;       // Expressway-C has a certificate to present
  bool required;      // the node refuses a client without one
  int refusal;        // the node refuses any certificate with this X509 error (0: its CAs decide)
  std::string alert;  // the alert's words
  bool presented;
  friend void PrintTo(const AlertCase& a, std::ostream* os) { *os << a.name; }
};

class ClientCertificateAlerts : public ::testing::TestWithParam<AlertCase> {};

TEST_P(ClientCertificateAlerts, CheckGivesTheClientCertificateVerdict) {
  const auto& a = GetParam();
  auto def = lab::scenario_origin("ok-fqdn");
  def.spec.tls13 = a.tls13;
  def.spec.client_certificate_cas = {lab::LabAuthorities::shared().other_root};
  def.spec.client_certificate_required = a.required;
  def.spec.client_certificate_refusal = a.refusal;
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(origin) << origin.error();
  auto config = base_config(LabPki::get());
  if (a.present) {
    const auto& expressway = lab::LabAuthorities::shared().expressway;
    config.expressway.server_certificate = write_file("client-cert/alerts/vcsc.pem", expressway.cert_pem());
    config.expressway.server_private_key = write_file("client-cert/alerts/vcsc.key", expressway.key_pem());
  }
  auto rt = proxy::Runtime::build(config, nullptr);
  ASSERT_TRUE(rt) << rt.error();
  auto report = check::judge(check::run_probes({{*rt, {"cucm.steven.lab", "https", (*origin)->port()}, "ECDSA-first"}}, 1, 1), {});
  const auto& row = report.rows.front();
  EXPECT_EQ(row.probe.outcome, check::ProbeOutcome::TlsFailed) << row.probe.error;
  ASSERT_TRUE(row.probe.failure);
  const auto* refused = std::get_if<verify::ClientCertificateRefused>(&*row.probe.failure);
  ASSERT_NE(refused, nullptr) << row.probe.error;
  EXPECT_EQ(refused->alert, a.alert);
  EXPECT_EQ(refused->presented, a.presented);
  EXPECT_EQ(row.diagnosis.cause, verify::Cause::ClientCertRejected);
  EXPECT_EQ(row.fix, row.diagnosis.fix) << "the catalogue's fix, as every reader gives it";
  EXPECT_NE(row.fix.find("tomcat-trust"), std::string::npos) << row.fix;
  EXPECT_EQ(row.fix.find("listens with TLS"), std::string::npos) << row.fix;
  EXPECT_NE(check::reason_of(row).find("client certificate"), std::string::npos) << check::reason_of(row);
  if (!a.presented) {
    EXPECT_NE(check::reason_of(row).find("presented none"), std::string::npos) << check::reason_of(row);
    EXPECT_NE(row.fix.find("must present its server certificate"), std::string::npos) << row.fix;
  }
  EXPECT_FALSE(report.refused) << "VerifyOriginServer Off cures no client-certificate refusal";
}

INSTANTIATE_TEST_SUITE_P(
    ClientCertificate, ClientCertificateAlerts,
    ::testing::Values(AlertCase{"NoneUnderTls12", false, false, true, 0, "handshake failure", false},
                      AlertCase{"NoneUnderTls13", true, false, true, 0, "certificate required", false},
                      AlertCase{"UnknownCaUnderTls12", false, true, false, 0, "unknown ca", true},
                      AlertCase{"UnknownCaUnderTls13", true, true, false, 0, "unknown ca", true},
                      AlertCase{"BadCertificateUnderTls12", false, true, false, X509_V_ERR_CERT_REJECTED, "bad certificate", true},
                      AlertCase{"BadCertificateUnderTls13", true, true, false, X509_V_ERR_CERT_REJECTED, "bad certificate", true}),
    [](const auto& info) { return info.param.name; });

// A node that asks for a client certificate and serves one that presents none, checked without
// --client-cert: the appliance always presents its own, which the node may refuse, so the verdict
// is incomplete and says so (issue 37), instead of "every node and port passes" and exit 0.
TEST(ClientCertificate, CheckWithoutAClientCertificateSaysItsVerdictIsIncomplete) {
  auto def = lab::scenario_origin("ok-fqdn");
  def.spec.client_certificate_cas = {lab::LabAuthorities::shared().other_root};
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(origin) << origin.error();
  const std::string node = def.connect_host + ":" + std::to_string((*origin)->port());
  auto p = spawn_mratls({"check", "--trust", LabPki::get().trust_file, "--node", node, "--hosts", def.connect_host + "=127.0.0.1",
                         "--json"});
  EXPECT_EQ(p.wait_exit(std::chrono::seconds(30)), 1) << p.output;
  const auto out = nlohmann::json::parse(p.output.substr(p.output.find('{')));
  EXPECT_EQ(out["summary"]["complete"], false) << out.dump(2);
  EXPECT_EQ(out["summary"]["x142_failures"], 0);
  for (const auto& probe : out["probes"]) {
    EXPECT_TRUE(probe["x142"].get<bool>()) << probe;
    EXPECT_EQ(probe["cause"], "client-certificate-untested") << probe;
    EXPECT_NE(probe["fix"].get<std::string>().find("--client-cert and --client-key"), std::string::npos) << probe;
  }
  auto text = spawn_mratls({"check", "--trust", LabPki::get().trust_file, "--node", node, "--hosts", def.connect_host + "=127.0.0.1"});
  EXPECT_EQ(text.wait_exit(std::chrono::seconds(30)), 1);
  EXPECT_EQ(text.output.find("Every node and port passes"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("The verdict is incomplete: 2 probes met a node that asks for a client certificate"), std::string::npos)
      << text.output;
}

// A failure on the first read after the handshake (the TLS 1.3 refusal of Expressway-C's
// certificate) is retried as a failed connect is: with connect_attempts_max_retries at 3,
// Traffic Server 9.2.9 makes 4 handshakes, answers 502 and writes no WARNING line, since the
// alert is about Expressway-C's certificate, not the origin's. Each attempt has its Sending
// Request; the ERROR line is written once. Failed before: one attempt.
TEST(ClientCertificate, UnderTls13ThePostHandshakeAlertIsRetriedAsTrafficServerDoes) {
  auto r = request_through_proxy(lab::LabAuthorities::shared().other_root, true, config::VerifyOriginServer::On, true,
                                 "cucm.steven.lab", 3);
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.origin_handshakes, 4) << lines_text(r.lines);
  EXPECT_EQ(std::ranges::count_if(r.lines, [](const std::string& l) { return l.find("Detail=\"Sending Request\"") != std::string::npos; }), 4)
      << lines_text(r.lines);
  EXPECT_EQ(std::ranges::count_if(r.lines, [](const std::string& l) { return l.find(kUnknownCa) != std::string::npos; }), 1)
      << lines_text(r.lines);
  EXPECT_FALSE(has_line(r.lines, "WARNING")) << lines_text(r.lines);
}
