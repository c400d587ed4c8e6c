#include <gtest/gtest.h>

#include "config/load.hpp"
#include "config/save.hpp"

using namespace mratls::config;

namespace {
std::expected<Config, ConfigError> load(const std::string& text) { return load_config_text(text, "site.yaml", "/etc/mratls"); }
}  // namespace

TEST(Config, FullExampleLoads) {
  auto c = load(R"(
expressway:
  version: X14.2.0
  system_name: vcsc
  verify_origin_server: log-only
  connect_attempts_max_retries: 1
  openssl_security_level: 1
  tls_max_version: TLSv1.2
  ciphers: "ECDHE-RSA-AES256-GCM-SHA384:EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:!aNULL:!aDH"
  trusted_ca_certificates: [trust/lab-root.pem, /abs/other.pem]
  server_certificate: expressway/vcsc.pem
  server_private_key: expressway/vcsc.key
listen: { address: 127.0.0.1, port: 8443, public_name: vcs_control.steven.lab }
unified_cm_servers:
  - address: cucm.steven.lab
    tls_verify_mode: on
    nodes: [cucm.steven.lab, 10.48.36.215]
im_and_presence_nodes: [ { address: imp.steven.lab } ]
unity_connection_servers: [ cuc.steven.lab ]
allow_list: [ { url: "https://cucm.steven.lab:8443/cucm-uds/", match: prefix, methods: [GET] } ]
hosts: { cucm.steven.lab: 127.0.0.11 }
origin: { keep_alive: false, max_idle_per_origin: 4, tls_session_reuse: false }
timeouts: { connect_ms: 100, handshake_ms: 200, client_header_ms: 300, origin_response_ms: 400, idle_ms: 500 }
limits: { max_header_bytes: 4096, max_connections: 10 }
threads: 2
log: { file: "-", level: debug, openssl_text: native }
)");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->expressway.version, (Version{14, 2, 0}));
  EXPECT_EQ(c->expressway.verify_origin_server, VerifyOriginServer::LogOnly);
  EXPECT_EQ(c->expressway.connect_attempts_max_retries, 1);
  EXPECT_EQ(c->expressway.trusted_ca_certificates, (std::vector<std::string>{"/etc/mratls/trust/lab-root.pem", "/abs/other.pem"}));
  EXPECT_EQ(c->expressway.server_certificate, "/etc/mratls/expressway/vcsc.pem");
  EXPECT_EQ(c->expressway.server_private_key, "/etc/mratls/expressway/vcsc.key");
  EXPECT_EQ(c->listen.public_name, "vcs_control.steven.lab");
  ASSERT_EQ(c->servers.size(), 3u);
  EXPECT_EQ(c->servers[0].nodes, (std::vector<std::string>{"cucm.steven.lab", "10.48.36.215"}));
  EXPECT_EQ(c->servers[2].type, ServerType::UnityConnection);
  EXPECT_EQ(c->servers[2].nodes, (std::vector<std::string>{"cuc.steven.lab"}));
  EXPECT_EQ(c->hosts.at("cucm.steven.lab"), "127.0.0.11");
  EXPECT_FALSE(c->origin.keep_alive);
  EXPECT_EQ(c->timeouts.idle_ms, 500);
  EXPECT_EQ(c->limits.max_header_bytes, 4096u);
  EXPECT_EQ(c->threads, 2);
  EXPECT_EQ(c->log.level, LogLevel::Debug);
  EXPECT_EQ(c->log.openssl_text, OpenSslText::Native);
}

TEST(Config, DefaultsFollowTheAppliance) {
  auto c = load("");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->expressway.verify_origin_server, VerifyOriginServer::On);
  EXPECT_EQ(c->expressway.openssl_security_level, 1);
  EXPECT_EQ(c->expressway.connect_attempts_max_retries, 0);
  EXPECT_EQ(c->expressway.ciphers, "EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:!aNULL:!aDH");
  EXPECT_TRUE(c->expressway.verifies_per_request());
}

TEST(Config, VersionsBeforeX142NeverVerifyPerRequest) {
  auto c = load("expressway: { version: X14.0.7 }");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->expressway.verifies_per_request());
  auto off = load("expressway: { verify_origin_server: off }");
  EXPECT_FALSE(off->expressway.verifies_per_request());
}

struct BadConfig {
  std::string yaml;
  int line;
  std::string key;
  std::string message_part;
  friend void PrintTo(const BadConfig& b, std::ostream* os) { *os << b.key; }
};

class ConfigRejects : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigRejects, NamingFileLineAndKey) {
  auto c = load(GetParam().yaml);
  ASSERT_FALSE(c) << GetParam().yaml;
  EXPECT_EQ(c.error().file, "site.yaml");
  EXPECT_EQ(c.error().line, GetParam().line) << c.error().to_string();
  EXPECT_EQ(c.error().key, GetParam().key) << c.error().to_string();
  EXPECT_NE(c.error().message.find(GetParam().message_part), std::string::npos) << c.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ConfigRejects,
    ::testing::Values(
        BadConfig{"expressway:\n  verison: X14.2.0\n", 2, "expressway.verison", "unknown key"},
        BadConfig{"listen:\n  port: 70000\n", 2, "listen.port", "out of range"},
        BadConfig{"listen:\n  port: eighty\n", 2, "listen.port", "not a whole number"},
        BadConfig{"expressway:\n  version: 14\n", 2, "expressway.version", "not a version"},
        BadConfig{"expressway:\n  verify_origin_server: maybe\n", 2, "expressway.verify_origin_server",
                  "'maybe' is not one of: on, off, log-only"},
        // A repeated key: yaml-cpp would keep the first and drop the second without a word.
        BadConfig{"expressway:\n  verify_origin_server: on\n  version: X14.2.0\n  verify_origin_server: off\n", 4,
                  "expressway.verify_origin_server", "given twice, at lines 2 and 4"},
        BadConfig{"listen:\n  port: 8443\nlisten:\n  port: 9443\n", 3, "listen", "given twice, at lines 1 and 3"},
        BadConfig{"hosts:\n  cucm.lab: 127.0.0.1\n  CUCM.lab: 127.0.0.2\n", 3, "hosts.CUCM.lab", "given twice"},
        BadConfig{"origin:\n  keep_alive: perhaps\n", 2, "origin.keep_alive", "valid: on, off"},
        BadConfig{"expressway:\n  tls_max_version: SSLv3\n", 2, "expressway.tls_max_version", "TLSv1.2 or TLSv1.3"},
        BadConfig{"log:\n  level: verbose\n", 2, "log.level", "not info or debug"},
        BadConfig{"allow_list:\n  - url: ftp://x/\n", 2, "allow_list.url", "https://"},
        BadConfig{"allow_list:\n  - url: https://x/\n    methods: [PATCH]\n", 3, "allow_list.methods", "PATCH"},
        BadConfig{"unified_cm_servers:\n  - tls_verify_mode: on\n", 2, "unified_cm_servers.address", "needs an address"},
        BadConfig{"threads: -1\n", 1, "threads", "out of range"},
        BadConfig{"frobnicate: 1\n", 1, "frobnicate", "unknown key"},
        BadConfig{"expressway:\n  server_certificate: vcsc.pem\n", 2, "expressway.server_certificate", "go together"},
        BadConfig{"expressway: [1, 2\n", 2, "", ""}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(Config, ALongValueIsNotEchoedWhole) {
  auto c = load("log:\n  level: " + std::string(5000, 'x') + "\n");
  ASSERT_FALSE(c);
  EXPECT_LT(c.error().to_string().size(), 300u) << c.error().to_string().size();
  EXPECT_NE(c.error().message.find("(5000 characters)"), std::string::npos) << c.error().message;
}

TEST(Config, AFileTheConfigurationNamesIsLocatedInIt) {
  auto c = load("expressway:\n  trusted_ca_certificates:\n    - trust/root.pem\n    - trust/gone.pem\n");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(located(*c, "/etc/mratls/trust/gone.pem: cannot open the trust store file"),
            "site.yaml:4: expressway.trusted_ca_certificates: /etc/mratls/trust/gone.pem: cannot open the trust store file");
  EXPECT_EQ(located(*c, "something else"), "something else");
}

TEST(Config, MissingFileIsNamed) {
  auto c = load_config_file("/nonexistent/site.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().to_string(), "/nonexistent/site.yaml: cannot open the file");
}

TEST(Config, ShippedExamplesLoad) {
  for (const auto* name : {"lab.yaml", "site.yaml"}) {
    auto c = load_config_file(std::string(MRATLS_SOURCE_DIR) + "/config/examples/" + name);
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().to_string());
  }
}

TEST(Config, SavedYamlLoadsBackToTheSameValues) {
  Config c;
  c.expressway.version = {14, 0, 7};
  c.expressway.verify_origin_server = VerifyOriginServer::LogOnly;
  c.expressway.ciphers = "ECDHE-RSA-AES256-GCM-SHA384:EECDH";
  c.expressway.trusted_ca_certificates = {"/lab/trust/root.pem"};
  c.expressway.server_certificate = "/lab/expressway/vcsc.pem";
  c.expressway.server_private_key = "/lab/expressway/vcsc.key";
  c.listen.port = 18443;
  c.servers.push_back({ServerType::UnifiedCm, "cucm1.lab", true, {"cucm1.lab", "127.0.0.12"}});
  c.servers.push_back({ServerType::UnityConnection, "cuc.lab", false, {"cuc.lab"}});
  c.allow_list.push_back({"https://x.lab:9443/api/", MatchType::Exact, {"GET", "POST"}});
  c.hosts["cucm1.lab"] = "127.0.0.11";
  c.log.level = LogLevel::Debug;
  c.log.keylog_file = "/lab/keys.log";
  c.origin = {false, 7, false};
  c.timeouts = {111, 222, 333, 444, 555, 666};
  c.limits = {4096, 77};
  auto back = load_config_text(to_yaml(c), "saved.yaml", "/");
  ASSERT_TRUE(back) << back.error().to_string() << "\n" << to_yaml(c);
  EXPECT_EQ(back->expressway.version, c.expressway.version);
  EXPECT_EQ(back->expressway.verify_origin_server, VerifyOriginServer::LogOnly);
  EXPECT_EQ(back->expressway.server_certificate, c.expressway.server_certificate);
  EXPECT_EQ(back->expressway.server_private_key, c.expressway.server_private_key);
  EXPECT_EQ(back->expressway.ciphers, c.expressway.ciphers);
  EXPECT_EQ(back->expressway.trusted_ca_certificates, c.expressway.trusted_ca_certificates);
  EXPECT_EQ(back->listen.port, 18443);
  ASSERT_EQ(back->servers.size(), 2u);
  EXPECT_EQ(back->servers[0].nodes, c.servers[0].nodes);
  EXPECT_FALSE(back->servers[1].tls_verify_mode);
  ASSERT_EQ(back->allow_list.size(), 1u);
  EXPECT_EQ(back->allow_list[0].match, MatchType::Exact);
  EXPECT_EQ(back->hosts, c.hosts);
  EXPECT_EQ(back->log.level, LogLevel::Debug);
  EXPECT_EQ(back->log.keylog_file, "/lab/keys.log");
  // origin, timeouts and limits were once dropped, so `lab --out` lost the lab's timeouts.
  EXPECT_FALSE(back->origin.keep_alive);
  EXPECT_EQ(back->origin.max_idle_per_origin, 7);
  EXPECT_FALSE(back->origin.tls_session_reuse);
  EXPECT_EQ(back->timeouts.connect_ms, 111);
  EXPECT_EQ(back->timeouts.handshake_ms, 222);
  EXPECT_EQ(back->timeouts.client_header_ms, 333);
  EXPECT_EQ(back->timeouts.origin_response_ms, 444);
  EXPECT_EQ(back->timeouts.idle_ms, 555);
  EXPECT_EQ(back->timeouts.transaction_ms, 666);
  EXPECT_EQ(back->limits.max_header_bytes, 4096u);
  EXPECT_EQ(back->limits.max_connections, 77);
}

TEST(Config, AnAllowListUrlWithABadPortNamesTheLine) {
  for (const char* port : {"84a3", "0", "70000", ""}) {
    auto text = std::string("allow_list:\n  - url: \"https://cucm.lab:") + port + "/cucm-uds/\"\n";
    auto c = load_config_text(text, "bad.yaml", "/");
    ASSERT_FALSE(c) << port;
    auto message = c.error().to_string();
    EXPECT_NE(message.find("bad.yaml"), std::string::npos) << message;
    EXPECT_NE(message.find("bad.yaml:2:"), std::string::npos) << message;
    EXPECT_NE(message.find("port '" + std::string(port) + "' is not in 1-65535"), std::string::npos) << message;
  }
}

TEST(Config, HostsAreKeptInLowerCase) {
  auto c = load_config_text("hosts:\n  CUCM.Steven.Lab: 127.0.0.11\n", "h.yaml", "/");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->hosts.count("cucm.steven.lab"), 1u);
}

TEST(Config, AdminListenerIsLoopbackUnlessATokenGuardsIt) {
  auto none = load("");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->admin.port, -1) << "no admin listener unless asked for";
  auto local = load("admin: { port: 9443 }");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->admin.address, "127.0.0.1");
  EXPECT_EQ(local->admin.port, 9443);
  auto open = load("admin:\n  address: 10.48.36.10\n  port: 9443\n");
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().to_string(), "site.yaml:2: admin.address: '10.48.36.10' is not loopback: admin.token_file is required");
  auto guarded = load("admin: { address: 10.48.36.10, port: 9443, token_file: admin.token }");
  ASSERT_TRUE(guarded);
  EXPECT_EQ(guarded->admin.token_file, "/etc/mratls/admin.token");
  EXPECT_EQ(load("admin: { port: 70000 }").error().key, "admin.port");
  EXPECT_EQ(load("admin: { prot: 1 }").error().key, "admin.prot");
}

TEST(Config, LoopbackAddresses) {
  for (auto a : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"}) EXPECT_TRUE(is_loopback_address(a)) << a;
  for (auto a : {"10.0.0.1", "0.0.0.0", "::", "127.0.0", "127.0.0.1.5", "127.0.0.1x", "1270.0.0.1", "127..0.1", "localhost.evil"})
    EXPECT_FALSE(is_loopback_address(a)) << a;
}

// `mratls admin export` writes a trust store edited in memory as the certificates themselves,
// and the admin listener it ran with: both must load back.
TEST(Config, InlineTrustedCertificatesAndTheAdminListenerLoadBack) {
  Config c;
  const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIBfake\nbase64==\n-----END CERTIFICATE-----\n";
  c.expressway.trusted_ca_certificates = {"/lab/trust/root.pem", pem};
  c.admin.port = 9090;
  const auto text = to_yaml(c);
  auto back = load_config_text(text, "exported.yaml", "/elsewhere");
  ASSERT_TRUE(back) << back.error().to_string() << "\n" << text;
  EXPECT_EQ(back->expressway.trusted_ca_certificates, c.expressway.trusted_ca_certificates) << text;
  EXPECT_EQ(back->admin.port, 9090);
  EXPECT_EQ(back->admin.address, "127.0.0.1");
  // An error about the inline entry names where the file holds it.
  const auto where = located(*back, inline_pem_name(2) + ": no certificate");
  EXPECT_TRUE(where.starts_with("exported.yaml:")) << where;
  EXPECT_TRUE(where.ends_with(": expressway.trusted_ca_certificates: inline certificate entry 2: no certificate")) << where;
  EXPECT_TRUE(is_inline_pem(pem));
  EXPECT_FALSE(is_inline_pem("/lab/trust/root.pem"));
  EXPECT_FALSE(is_inline_pem("trust/-----BEGIN.pem"));
}
