// HTTP/1.1 on both sides, the origin pool, retries, DEBUG lines, reload and drain.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "lab/scenarios.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

struct Setup {
  std::unique_ptr<lab::MockOrigin> origin;
  std::unique_ptr<ProxyUnderTest> proxy;
  std::string segment;
  std::string leaf_pem;  // the certificate the origin presents (its first)
};

Setup start(const std::string& scenario, const std::function<void(config::Config&)>& tweak = {},
            const std::function<void(lab::MockOriginSpec&)>& tweak_origin = {}) {
  auto def = lab::scenario_origin(scenario);
  if (tweak_origin) tweak_origin(def.spec);
  auto leaf_pem = def.spec.certificates.front().leaf.cert_pem();
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  auto port = (*origin)->port();
  auto config = base_config(LabPki::get());
  for (const auto* path : {"/cucm-uds/", "/cup/"})
    config.allow_list.push_back({"https://" + def.connect_host + ":" + std::to_string(port) + path,
                                 config::MatchType::Prefix, {"GET", "POST", "HEAD"}});
  if (tweak) tweak(config);
  Setup s{std::move(*origin), std::make_unique<ProxyUnderTest>(config), segment_for(def.connect_host, port), leaf_pem};
  return s;
}

std::size_t count_lines(ProxyUnderTest& p, const std::string& needle) {
  std::size_t n = 0;
  for (const auto& l : p.masked_lines())
    if (l.find(needle) != std::string::npos) ++n;
  return n;
}

}  // namespace

TEST(KeepAlive, BothSidesAreReusedAndTheOriginIsVerifiedOnce) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  for (int i = 0; i < 3; ++i) {
    auto r = client.exchange(get_request("/" + s.segment + "/cucm-uds/user/emusk/devices"));
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.closed);
    EXPECT_NE(r.body.find("path=\"/cucm-uds/user/emusk/devices\""), std::string::npos) << r.body;
  }
  EXPECT_EQ(s.origin->requests_served(), 3);
  EXPECT_EQ(s.origin->handshakes(), 1) << "the verified origin connection should have been pooled";
}

TEST(KeepAlive, PooledConnectionServesAnotherClient) {
  auto s = start("ok-fqdn");
  for (int i = 0; i < 2; ++i) {
    Client client(s.proxy->port());
    EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
  }
  EXPECT_EQ(s.origin->handshakes(), 1);
}

TEST(KeepAlive, AStalePooledConnectionIsReplacedWithoutAnError) {
  auto s = start("ok-fqdn", {}, [](lab::MockOriginSpec& spec) { spec.answers_per_connection = 1; });
  Client client(s.proxy->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
  EXPECT_EQ(s.origin->requests_served(), 3);
  EXPECT_EQ(s.origin->handshakes(), 3);
}

TEST(KeepAlive, OffMeansAHandshakePerRequest) {
  auto s = start("ok-fqdn", [](config::Config& c) {
    c.origin.keep_alive = false;
    c.origin.tls_session_reuse = false;
  });
  Client client(s.proxy->port());
  for (int i = 0; i < 2; ++i) EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
  EXPECT_EQ(s.origin->handshakes(), 2);
}

TEST(KeepAlive, ClientConnectionCloseIsHonoured) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  auto r = client.exchange(get_request("/" + s.segment + "/cucm-uds/version", "t", "Connection: close\r\n"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.closed);
  EXPECT_TRUE(client.peer_closed());
}

TEST(KeepAlive, PipelinedRequestsAreAnsweredInOrder) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  client.send_raw(get_request("/" + s.segment + "/cucm-uds/first") + get_request("/" + s.segment + "/cucm-uds/second"));
  auto first = client.read_response();
  auto second = client.read_response();
  EXPECT_NE(first.body.find("/cucm-uds/first"), std::string::npos);
  EXPECT_NE(second.body.find("/cucm-uds/second"), std::string::npos);
}

TEST(Timeouts, AHeadTricklingInTooSlowlyGets408) {
  auto s = start("ok-fqdn", [](config::Config& c) { c.timeouts.client_header_ms = 1000; });
  Client client(s.proxy->port());
  auto request = get_request("/" + s.segment + "/cucm-uds/version");
  // A byte every 200 ms: the head is not complete when the 1000 ms are up.
  for (std::size_t i = 0; i < 12; ++i) {
    client.send_raw(request.substr(i, 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  auto r = client.read_response();
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(s.proxy->sink().wait_for("Detail=\"Sending Response\""));
  EXPECT_EQ(count_lines(*s.proxy, "not complete within 1000 ms"), 1u);
  EXPECT_EQ(s.origin->requests_served(), 0);
}

TEST(Limits, ConnectionsAboveTheLimitAreClosed) {
  auto s = start("ok-fqdn", [](config::Config& c) { c.limits.max_connections = 1; });
  Client first(s.proxy->port());
  EXPECT_EQ(first.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
  Client second(s.proxy->port());
  EXPECT_EQ(second.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 0);
  EXPECT_TRUE(s.proxy->sink().wait_for("Connection limit reached"));
  EXPECT_EQ(count_lines(*s.proxy, "WARNING: Connection limit reached; refusing a connection"), 1u);
  EXPECT_EQ(first.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
}

TEST(Bodies, ContentLengthBodyIsForwarded) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  std::string body(200000, 'x');
  auto r = client.exchange("POST /" + s.segment + "/cup/presence HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body);
}

TEST(Bodies, ChunkedRequestBodyIsForwarded) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  auto r = client.exchange("POST /" + s.segment + "/cup/presence HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello world");
  // and the connection still serves
  EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
}

TEST(Bodies, ExpectContinueIsAnsweredByTheProxy) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  client.send_raw("POST /" + s.segment + "/cup/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  // The interim answer comes before any byte of the body was sent. Passed before without it:
  // the client skipped 1xx responses, and the body went out after a fixed sleep.
  const auto interim = client.read_interim();
  EXPECT_EQ(interim.status, 100);
  EXPECT_EQ(interim.reason, "Continue");
  client.send_raw("abc");
  auto r = client.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abc");
  EXPECT_TRUE(r.interim.empty()) << "a second 100 Continue";
}

TEST(Bodies, ChunkedResponseIsStreamedThrough) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  auto r = client.exchange(get_request("/" + s.segment + "/cucm-uds/chunked"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("path=\"/cucm-uds/chunked\""), std::string::npos) << r.body;
  bool chunked = false;
  for (const auto& [n, v] : r.headers) chunked = chunked || (n == "Transfer-Encoding" && v == "chunked");
  EXPECT_TRUE(chunked);
}

TEST(Bodies, HeadRequestGetsNoBody) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  client.send_raw("HEAD /" + s.segment + "/cucm-uds/version HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = client.read_response(true);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
}

TEST(Requests, AbsoluteFormForThisExpresswayIsServed) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  auto r = client.exchange("GET http://vcs_control.steven.lab:8443/" + s.segment +
                           "/cucm-uds/user/emusk/devices HTTP/1.1\r\nHost: vcs_control.steven.lab:8443\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  auto lines = s.proxy->masked_lines();
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find("Msg=\"GET http://vcs_control.steven.lab:8443/" + s.segment + "/cucm-uds/user/emusk/devices HTTP/1.1\""),
            std::string::npos);
}

TEST(Requests, OriginSeesOriginFormAndHostPort) {
  std::string seen_host, seen_target, seen_connection, seen_keep_alive;
  auto s = start("ok-fqdn", {}, [&](lab::MockOriginSpec& spec) {
    spec.handler = [&](const lab::OriginRequest& req) {
      for (const auto& [n, v] : req.headers) {
        if (n == "Host") seen_host = v;
        if (n == "Connection") seen_connection = v;
        if (n == "Keep-Alive") seen_keep_alive = v;
      }
      seen_target = req.target;
      return lab::OriginReply{};
    };
  });
  Client client(s.proxy->port());
  auto r = client.exchange(get_request("/" + s.segment + "/cucm-uds/users?name=a%20b", "t", "Keep-Alive: timeout=5\r\n"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(seen_target, "/cucm-uds/users?name=a%20b");
  EXPECT_EQ(seen_host, "cucm.steven.lab:" + std::to_string(s.origin->port()));
  EXPECT_EQ(seen_connection, "keep-alive");
  EXPECT_EQ(seen_keep_alive, "") << "hop-by-hop headers stay on their hop";
}

TEST(Retries, EachAttemptLogsItsOwnLines) {
  auto s = start("self-signed", [](config::Config& c) { c.expressway.connect_attempts_max_retries = 2; });
  Client client(s.proxy->port());
  EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 502);
  EXPECT_TRUE(s.proxy->sink().wait_for("Detail=\"Sending Response\""));
  EXPECT_EQ(count_lines(*s.proxy, "Detail=\"Sending Request\""), 3u);
  EXPECT_EQ(count_lines(*s.proxy, "WARNING: Core server certificate verification failed"), 3u);
  EXPECT_EQ(count_lines(*s.proxy, "ERROR: SSL connection failed"), 3u);
}

TEST(LogLevel, DebugCarriesWholeMessages) {
  auto s = start("ok-fqdn", [](config::Config& c) { c.log.level = config::LogLevel::Debug; });
  Client client(s.proxy->port());
  EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
  EXPECT_TRUE(s.proxy->sink().wait_for("Detail=\"Sending Response\""));
  auto lines = s.proxy->masked_lines({s.origin->port()});
  ASSERT_GE(lines.size(), 4u);
  EXPECT_NE(lines[0].find("Level=\"DEBUG\": Detail=\"Receive Request\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(" \nHTTPMSG:\n|GET /" + s.segment + "/cucm-uds/version HTTP/1.1\n Host: vcs_control.steven.lab:8443\n TrackingID: test-tracking-id\n \n |"),
            std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[0].find("Msg="), std::string::npos);
  EXPECT_NE(lines[2].find("Detail=\"Sending Request\""), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("\nHTTPMSG:\n|GET /cucm-uds/version HTTP/1.1\n Host: cucm.steven.lab:PORT\n TrackingID: test-tracking-id\n"
                          " Connection: keep-alive\n \n |"),
            std::string::npos)
      << lines[2];
}

TEST(LogText, NativeWritesOpenSsl3Texts) {
  auto s = start("self-signed", [](config::Config& c) { c.log.openssl_text = config::OpenSslText::Native; });
  Client client(s.proxy->port());
  EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 502);
  EXPECT_TRUE(s.proxy->sink().wait_for("Detail=\"Sending Response\""));
  EXPECT_EQ(count_lines(*s.proxy, "Error=self-signed certificate server="), 1u);
  EXPECT_EQ(count_lines(*s.proxy, "': error:0A000086:SSL routines::certificate verify failed"), 1u);
}

TEST(Threads, SeveralEventThreadsServe) {
  auto s = start("ok-fqdn", [](config::Config& c) { c.threads = 3; });
  EXPECT_EQ(s.proxy->server().thread_count(), 3);
  for (int i = 0; i < 6; ++i) {
    Client client(s.proxy->port());
    EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
  }
}

TEST(Reload, NewTrustStoreAppliesWithoutDroppingConnections) {
  auto s = start("self-signed");
  Client client(s.proxy->port());
  EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 502);

  // Trust the origin's own certificate, as an engineer uploads it to the trust store.
  auto trust = LabPki::get().dir / "reload-trust.pem";
  std::ofstream(trust) << s.leaf_pem;
  auto rt = s.proxy->server().runtimes().change([&](const proxy::Runtime& current) {
    proxy::NextRuntime next{current.config, nullptr, nullptr, {"[test] NOTICE: trust store reloaded"}, {}};
    next.config.expressway.trusted_ca_certificates.push_back(trust.string());
    return std::expected<std::optional<proxy::NextRuntime>, std::string>(std::move(next));
  });
  ASSERT_TRUE(rt) << rt.error();
  auto r = client.exchange(get_request("/" + s.segment + "/cucm-uds/version"));
  EXPECT_EQ(r.status, 200) << "the established client connection should see the new runtime";
}

TEST(Reload, BrokenTrustStoreIsRefusedWithItsFileNamed) {
  auto config = base_config(LabPki::get());
  config.expressway.trusted_ca_certificates = {"/nonexistent/trust.pem"};
  auto rt = proxy::Runtime::build(config, nullptr);
  ASSERT_FALSE(rt);
  EXPECT_NE(rt.error().find("/nonexistent/trust.pem"), std::string::npos) << rt.error();
}

TEST(Drain, StopClosesIdleConnectionsAndRefusesNewOnes) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
  auto port = s.proxy->port();
  s.proxy->server().stop();
  EXPECT_TRUE(client.peer_closed());
  s.proxy->server().wait();
  Client late(port);
  EXPECT_EQ(late.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 0);
}

TEST(TrackingId, ARequestWithoutOneGetsAVersion4UuidOnItsRequestLines) {
  auto s = start("ok-fqdn");
  Client client(s.proxy->port());
  const std::string request =
      "GET /" + s.segment + "/cucm-uds/version HTTP/1.1\r\nHost: vcs_control.steven.lab:8443\r\n\r\n";
  ASSERT_EQ(client.exchange(request).status, 200);
  ASSERT_EQ(client.exchange(request).status, 200);
  s.proxy->log()->flush();
  const std::regex uuid(R"re(TrackingID="([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})")re");
  std::vector<std::string> ids;
  for (const auto& line : s.proxy->sink().lines()) {
    if (line.find("Detail=\"Receive Request\"") == std::string::npos && line.find("Detail=\"Sending Request\"") == std::string::npos)
      continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, uuid)) << line;
    ids.push_back(m[1]);
  }
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[0], ids[1]) << "one transaction, one id";
  EXPECT_EQ(ids[2], ids[3]);
  EXPECT_NE(ids[0], ids[2]) << "each transaction gets its own";
}

// A node advertised by an IP that the hosts map sends elsewhere (a site's IP replayed on
// loopback by `lab --from`): the name checked and logged is the IP as addressed, as it was at
// the site, not the address the hosts map gave. Failed before: the lines named 127.0.0.1.
TEST(Hosts, AnIpLiteralMappedElsewhereIsCheckedAndLoggedAsAddressed) {
  auto def = lab::scenario_origin("ip-not-in-san");
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  ASSERT_TRUE(origin) << origin.error();
  const auto port = (*origin)->port();
  auto config = base_config(LabPki::get());
  const std::string site_ip = "10.48.36.215";
  config.hosts[site_ip] = "127.0.0.1";
  config.allow_list.push_back({"https://" + site_ip + ":" + std::to_string(port) + "/cucm-uds/", config::MatchType::Prefix, {"GET"}});
  ProxyUnderTest proxy(config);
  Client client(proxy.port());
  EXPECT_EQ(client.exchange(get_request("/" + segment_for(site_ip, port) + "/cucm-uds/version")).status, 502);
  ASSERT_TRUE(proxy.sink().wait_for("Sending Response"));
  const auto lines = proxy.masked_lines({port});
  auto has = [&](const std::string& needle) {
    return std::ranges::any_of(lines, [&](const std::string& l) { return l.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(has("WARNING: SNI (10.48.36.215) not in certificate. Action=Terminate server=10.48.36.215(127.0.0.1)"));
  EXPECT_TRUE(has("ERROR: SSL connection failed for '10.48.36.215': error:1416F086:SSL routines:"
                  "tls_process_server_certificate:certificate verify failed"));
  EXPECT_FALSE(has("SNI (127.0.0.1)"));
}

namespace {

// Every descriptor this process may still open, taken; given back, and the limit restored, when
// it goes out of scope, whatever the test asserted meanwhile.
class DescriptorsTaken {
 public:
  explicit DescriptorsTaken(int spare) {
    getrlimit(RLIMIT_NOFILE, &was_);
    int highest = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) highest = std::max(highest, std::stoi(e.path().filename()));
    rlimit tight = was_;
    tight.rlim_cur = static_cast<rlim_t>(highest + 16);
    setrlimit(RLIMIT_NOFILE, &tight);
    for (int fd; (fd = dup(STDERR_FILENO)) >= 0;) taken_.push_back(fd);
    for (int i = 0; i < spare && !taken_.empty(); ++i) {
      close(taken_.back());
      taken_.pop_back();
    }
  }
  ~DescriptorsTaken() { give_back(); }
  void give_back() {
    for (int fd : taken_) close(fd);
    taken_.clear();
    setrlimit(RLIMIT_NOFILE, &was_);
  }

 private:
  rlimit was_{};
  std::vector<int> taken_;
};

}  // namespace

// Out of descriptors, accept fails with EMFILE and the connection waits in the backlog: the loop
// writes one WARNING, counts it in /metrics, pauses and goes on, and once descriptors are free
// the connection is served. Before, it re-armed accept at once and spun without a word.
TEST(Limits, RunningOutOfDescriptorsPausesTheAcceptLoopAndServesAgain) {
  // The sanitizers' runtimes need descriptors of their own to report anything (the symbolizer's
  // socket pair): with none left, a report would be lost, so the Release build runs this one.
  if (sanitized()) GTEST_SKIP() << "run by the Release build";
  ProxyUnderTest proxy(base_config(LabPki::get()));
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);  // made before the descriptors run out
  ASSERT_GE(client, 0);
  timeval wait{5, 0};
  setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(proxy.port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  {
    DescriptorsTaken none(0);
    // The kernel completes the connection; the proxy cannot take it.
    ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&to), sizeof to), 0) << std::strerror(errno);
    EXPECT_TRUE(proxy.sink().wait_for("WARNING: Cannot accept a connection: Too many open files; retrying every 100 ms"));
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
    EXPECT_GE(proxy.server().metrics().accept_failures, 2u) << "a failure counted at each retry";
    EXPECT_EQ(count_lines(proxy, "Cannot accept a connection"), 1u) << "one line a second at most";
  }
  const std::string request = "GET / HTTP/1.1\r\nHost: vcs_control.steven.lab\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(client, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  char answer[64] = {};
  const auto n = ::recv(client, answer, sizeof answer - 1, 0);
  ::close(client);
  ASSERT_GT(n, 0) << "the connection waiting in the backlog was never served";
  EXPECT_TRUE(std::string(answer).starts_with("HTTP/1.1 ")) << answer;
}
