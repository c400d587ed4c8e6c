// The admin listener over real sockets: the X14.2 story told through it (a self-signed node
// fails, VerifyOriginServer Off lets it through, On breaks it again, trusting its certificate
// fixes it), its access rules, the live event stream, and switches flipped under load.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <thread>

#include "control/admin_client.hpp"
#include "control/admin_listener.hpp"
#include "config/load.hpp"
#include "config/save.hpp"
#include "lab/pki.hpp"
#include "lab/scenarios.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

struct Stage {
  std::unique_ptr<lab::MockOrigin> origin;
  std::unique_ptr<ProxyUnderTest> proxy;
  std::unique_ptr<control::AdminListener> admin;
  std::string segment;
  std::string leaf_pem;
  control::AdminTarget to;
};

Stage stage(const std::string& scenario, const std::string& token_file = "", const std::string& address = "127.0.0.1",
            int threads = 1) {
  auto def = lab::scenario_origin(scenario);
  auto leaf_pem = def.spec.certificates.front().leaf.cert_pem();
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  auto port = (*origin)->port();
  auto config = base_config(LabPki::get());
  config.threads = threads;
  config.allow_list.push_back({"https://" + def.connect_host + ":" + std::to_string(port) + "/cucm-uds/",
                               config::MatchType::Prefix, {"GET"}});
  auto proxy = std::make_unique<ProxyUnderTest>(config);
  config::Admin settings;
  settings.address = address;
  settings.port = 0;
  settings.token_file = token_file;
  auto admin = control::AdminListener::open(proxy->server(), settings);
  if (!admin) throw std::runtime_error(admin.error());
  control::AdminTarget to{"127.0.0.1", (*admin)->port(), ""};
  return {std::move(*origin), std::move(proxy), std::move(*admin), segment_for(def.connect_host, port), leaf_pem, to};
}

int login_status(Stage& s) {
  Client client(s.proxy->port());
  return client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status;
}

control::AdminReply call(const Stage& s, const std::string& method, const std::string& path, const nlohmann::json* body = nullptr) {
  auto reply = control::admin_call(s.to, method, path, body);
  if (!reply) throw std::runtime_error(reply.error());
  return *reply;
}

control::AdminReply xconfig(const Stage& s, const std::string& command) {
  nlohmann::json body{{"command", command}};
  return call(s, "POST", "/api/xconfiguration", &body);
}

// A raw request to the admin listener, headers as given.
proxy::ClientResponse raw(const Stage& s, const std::string& request) {
  proxy::BlockingClient client("127.0.0.1", s.to.port);
  return client.exchange(request);
}

std::string host(const Stage& s) { return "127.0.0.1:" + std::to_string(s.to.port); }

std::uint64_t generation(const Stage& s) { return call(s, "GET", "/api/state").body["generation"].get<std::uint64_t>(); }

bool has_line(Stage& s, const std::string& needle) {
  s.proxy->log()->flush();
  for (const auto& l : s.proxy->masked_lines())
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(Admin, TheX142StoryThroughTheAppliancesCommandAndTheTrustStore) {
  auto s = stage("self-signed");
  EXPECT_EQ(login_status(s), 502) << "X14.2 refuses the self-signed node";
  EXPECT_TRUE(has_line(s, "WARNING: Core server certificate verification failed for (cucm.steven.lab)"));

  const auto before = generation(s);
  auto off = xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: Off");
  EXPECT_EQ(off.status, 200) << off.text;
  EXPECT_EQ(off.body["output"], "OK");
  EXPECT_EQ(login_status(s), 200) << "VerifyOriginServer Off lets it through";
  EXPECT_TRUE(has_line(s, "[admin] NOTICE: VerifyOriginServer changed from \"On\" to \"Off\" (runtime generation " +
                              std::to_string(before + 1) + ")"));
  auto read = xconfig(s, "xConfiguration EdgeConfigServer");
  EXPECT_EQ(read.body["output"], "*c xConfiguration EdgeConfigServer VerifyOriginServer: \"Off\"");

  EXPECT_EQ(xconfig(s, "xconfiguration edgeconfigserver verifyoriginserver: on").status, 200);
  EXPECT_EQ(login_status(s), 502) << "On again: refused again";

  nlohmann::json upload{{"pem", s.leaf_pem}};
  auto added = call(s, "POST", "/api/trust", &upload);
  ASSERT_EQ(added.status, 200) << added.text;
  const auto sha256 = added.body["added"][0]["sha256"].get<std::string>();
  EXPECT_EQ(login_status(s), 200) << "the real fix: the node's certificate in the trust store, verification On";
  EXPECT_TRUE(has_line(s, "[admin] NOTICE: trust store changed from \"\" to \"added "));

  auto state = call(s, "GET", "/api/state").body;
  EXPECT_EQ(state["verify_origin_server"], "on");
  EXPECT_EQ(state["version"], "X14.2.0");
  EXPECT_EQ(state["generation"].get<std::uint64_t>(), before + 3);
  bool listed = false;
  for (const auto& t : state["trust"]) listed = listed || t["sha256"] == sha256;
  EXPECT_TRUE(listed) << state.dump();

  // The same certificate twice is refused, with why; removing it breaks the node again.
  auto twice = call(s, "POST", "/api/trust", &upload);
  EXPECT_EQ(twice.status, 409);
  EXPECT_NE(twice.body["error"].get<std::string>().find("already in the trust store"), std::string::npos);
  EXPECT_EQ(call(s, "DELETE", "/api/trust/" + sha256).status, 200);
  EXPECT_EQ(login_status(s), 502);
  EXPECT_EQ(call(s, "DELETE", "/api/trust/" + sha256).status, 404);
}

TEST(Admin, EmulatorSettingsChangeTheBehaviourAndBadOnesChangeNothing) {
  auto s = stage("self-signed");
  nlohmann::json old_version{{"version", "X14.0.7"}};
  auto r = call(s, "POST", "/api/settings", &old_version);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["changes"][0]["setting"], "version");
  EXPECT_EQ(login_status(s), 200) << "before X14.2 origins were not verified";

  const auto g = generation(s);
  for (const auto& bad : {nlohmann::json{{"verify", "off"}}, nlohmann::json{{"version", "X14.2.0"}, {"cipher_preference", "dsa"}},
                          nlohmann::json{{"version", 14}}, nlohmann::json::array()}) {
    auto refused = call(s, "POST", "/api/settings", &bad);
    EXPECT_EQ(refused.status, 400) << bad.dump();
    EXPECT_TRUE(refused.body.contains("error")) << refused.text;
  }
  auto bad_command = xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: Maybe");
  EXPECT_EQ(bad_command.status, 400);
  EXPECT_EQ(bad_command.body["error"], "VerifyOriginServer: \"Maybe\" is not a valid value (On or Off)");
  EXPECT_EQ(generation(s), g) << "a refused change builds no generation";
  EXPECT_EQ(login_status(s), 200);
}

// The same site, two upgrade paths: a dual-certificate CUCM whose tomcat-ECDSA is self-signed
// fails after the upgrade from X12.7 and passes after the one from X14.0.7.
TEST(Admin, UpgradedFromShowsTwoUpgradePathsOnTheSameSite) {
  auto s = stage("ecdsa-self-signed");
  // From X12.7 the file's string stays: no change to build, but the page shows the path.
  nlohmann::json first{{"upgraded_from", "X12.7"}};
  const auto g0 = generation(s);
  ASSERT_EQ(call(s, "POST", "/api/settings", &first).status, 200);
  EXPECT_EQ(generation(s), g0);
  EXPECT_EQ(call(s, "GET", "/api/state").body["upgraded_from"], "X12.7");
  EXPECT_EQ(login_status(s), 502);

  nlohmann::json recent{{"upgraded_from", "X14.0.7"}};
  auto r = call(s, "POST", "/api/settings", &recent);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["changes"][0]["setting"], "cipher string (upgraded from X14.0.7)");
  EXPECT_EQ(login_status(s), 200) << "the prefix the upgrade from X14.0.7 adds makes the node present its RSA certificate";
  EXPECT_TRUE(has_line(s, "[admin] NOTICE: cipher string (upgraded from X14.0.7) changed from \"EECDH:"));
  auto state = call(s, "GET", "/api/state").body;
  EXPECT_EQ(state["upgraded_from"], "X14.0.7");
  EXPECT_EQ(state["cipher_preference"], "rsa");

  nlohmann::json old{{"upgraded_from", "X12.7"}};
  r = call(s, "POST", "/api/settings", &old);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(login_status(s), 502) << "from X12.7 the default string stays: ECDSA first, the self-signed certificate";
  EXPECT_EQ(call(s, "GET", "/api/state").body["cipher_preference"], "ecdsa");

  nlohmann::json unknown{{"upgraded_from", "X99"}};
  const auto g = generation(s);
  auto refused = call(s, "POST", "/api/settings", &unknown);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body["error"].get<std::string>().find("upgraded_from: 'X99' is not an Expressway release"), std::string::npos)
      << refused.text;
  EXPECT_EQ(generation(s), g);
}

TEST(Admin, AccessRulesRefuseWhatABrowserOnAnotherSiteCouldSend) {
  auto s = stage("self-signed");
  const auto g = generation(s);
  const std::string body = "{\"command\": \"xConfiguration EdgeConfigServer VerifyOriginServer: Off\"}";
  auto post = [&](const std::string& headers, const std::string& payload) {
    return raw(s, "POST /api/xconfiguration HTTP/1.1\r\n" + headers + "Content-Length: " + std::to_string(payload.size()) +
                      "\r\nConnection: close\r\n\r\n" + payload);
  };
  // A cross-site form can send these content types, never application/json.
  EXPECT_EQ(post("Host: " + host(s) + "\r\nContent-Type: application/x-www-form-urlencoded\r\n", "command=x").status, 415);
  EXPECT_EQ(post("Host: " + host(s) + "\r\nContent-Type: text/plain\r\n", body).status, 415);
  EXPECT_EQ(post("Host: " + host(s) + "\r\n", body).status, 415);
  // Another site's page, and a DNS name rebound to loopback.
  auto foreign = post("Host: " + host(s) + "\r\nOrigin: http://evil.example.com\r\nContent-Type: application/json\r\n", body);
  EXPECT_EQ(foreign.status, 403);
  EXPECT_NE(foreign.body.find("cross-origin request refused (Origin http://evil.example.com)"), std::string::npos);
  EXPECT_EQ(post("Host: evil.example.com:" + std::to_string(s.to.port) + "\r\nContent-Type: application/json\r\n", body).status, 421);
  EXPECT_EQ(raw(s, "GET /api/state HTTP/1.1\r\nConnection: close\r\n\r\n").status, 421) << "no Host: refused";
  // Our own page's Origin is fine; GET cannot change anything; bad JSON is refused.
  EXPECT_EQ(raw(s, "GET /api/xconfiguration HTTP/1.1\r\nHost: " + host(s) + "\r\nConnection: close\r\n\r\n").status, 405);
  EXPECT_EQ(post("Host: " + host(s) + "\r\nContent-Type: application/json\r\n", "{\"command\": ").status, 400);
  EXPECT_EQ(generation(s), g) << "nothing refused changed anything";
  EXPECT_EQ(login_status(s), 502);
  auto same_origin =
      post("Host: " + host(s) + "\r\nOrigin: http://" + host(s) + "\r\nContent-Type: application/json; charset=utf-8\r\n", body);
  EXPECT_EQ(same_origin.status, 200) << same_origin.body;
  EXPECT_EQ(login_status(s), 200);

  // Oversized and chunked bodies are refused before they are read.
  EXPECT_EQ(raw(s, "POST /api/trust HTTP/1.1\r\nHost: " + host(s) + "\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n").status, 413);
  EXPECT_EQ(raw(s, "POST /api/trust HTTP/1.1\r\nHost: " + host(s) +
                       "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n").status,
            411);

  // The proxy's own listener never answers admin paths.
  Client proxy_client(s.proxy->port());
  auto via_proxy = proxy_client.exchange(get_request("/api/state"));
  EXPECT_NE(via_proxy.status, 200);
  EXPECT_EQ(via_proxy.body.find("verify_origin_server"), std::string::npos);
}

TEST(Admin, ANonLoopbackListenerWantsAToken) {
  // On every address (0.0.0.0) is not loopback: without a token file it does not open.
  auto unguarded = stage("ok-fqdn");
  config::Admin open_to_all;
  open_to_all.address = "0.0.0.0";
  open_to_all.port = 0;
  auto refused_open = control::AdminListener::open(unguarded.proxy->server(), open_to_all);
  ASSERT_FALSE(refused_open);
  EXPECT_EQ(refused_open.error(), "admin.address '0.0.0.0' is not loopback: admin.token_file is required");

  const auto token_file = std::filesystem::temp_directory_path() / ("mratls-admin-token-" + std::to_string(getpid()));
  std::ofstream(token_file) << "s3cret-token-for-the-class-of-2026\n";
  auto s = stage("self-signed", token_file.string(), "0.0.0.0");
  EXPECT_EQ(call(s, "GET", "/api/state").status, 401);
  s.to.token = "wrong-token-wrong-token-wrong";
  EXPECT_EQ(call(s, "GET", "/api/state").status, 401);
  s.to.token = "s3cret-token-for-the-class-of-2026";
  EXPECT_EQ(call(s, "GET", "/api/state").status, 200);
  EXPECT_EQ(xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: Off").status, 200);
  // Any Host: the token is what protects a listener that has one.
  EXPECT_EQ(raw(s, "GET /api/state?access_token=s3cret-token-for-the-class-of-2026 HTTP/1.1\r\nHost: expressway.example:1\r\n"
                   "Connection: close\r\n\r\n").status,
            200);
  std::filesystem::remove(token_file);

  std::ofstream(token_file) << "short\n";
  config::Admin settings;
  settings.port = 0;
  settings.token_file = token_file.string();
  auto refused = control::AdminListener::open(s.proxy->server(), settings);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), token_file.string() + ": the admin token must be at least 16 characters");
  std::filesystem::remove(token_file);
}

TEST(Admin, TheEventStreamCarriesTheLogLinesAndTheChanges) {
  auto s = stage("self-signed");
  // The stream never ends by itself: read it off a plain socket until what we look for is there.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(s.to.port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string request = "GET /api/events HTTP/1.1\r\nHost: " + host(s) + "\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));

  EXPECT_EQ(login_status(s), 502);
  EXPECT_EQ(xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: Off").status, 200);
  const std::string warning = "WARNING: Core server certificate verification failed for (cucm.steven.lab)";
  const std::string change = "[admin] NOTICE: VerifyOriginServer changed from \"On\" to \"Off\"";
  auto complete = [&](const std::string& seen) {
    return seen.find(warning) != std::string::npos && seen.find(change) != std::string::npos &&
           seen.find("event: state\ndata: {") != std::string::npos;
  };
  std::string seen;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!complete(seen) && std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    seen.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  EXPECT_TRUE(seen.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n")) << seen;
  EXPECT_TRUE(complete(seen)) << seen;
  // Each log line is one event, its text the line as the log file has it.
  EXPECT_NE(seen.find("event: log\ndata: "), std::string::npos);
  EXPECT_NE(seen.find(" vcsc traffic_server["), std::string::npos) << seen;
}

TEST(Admin, NoRequestIsDroppedWhileTheSwitchesFlip) {
  auto s = stage("ok-fqdn");
  std::atomic<bool> done{false};
  std::atomic<int> ok{0}, other{0}, flips{0};
  // The flipper starts first and stops last: every request meets generations changing.
  std::thread flipper([&] {
    for (int i = 0; !done || i < 10; ++i, ++flips) {
      xconfig(s, i % 2 ? "xConfiguration EdgeConfigServer VerifyOriginServer: On" : "xConfiguration EdgeConfigServer VerifyOriginServer: Off");
      nlohmann::json prefer{{"cipher_preference", i % 3 ? "rsa" : "ecdsa"}};
      call(s, "POST", "/api/settings", &prefer);
    }
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&] {
      Client client(s.proxy->port());
      for (int i = 0; i < 150; ++i) {
        auto r = client.exchange(get_request("/" + s.segment + "/cucm-uds/version"));
        (r.status == 200 ? ok : other)++;
      }
    });
  for (auto& c : clients) c.join();
  done = true;
  flipper.join();
  EXPECT_GE(flips.load(), 10);
  EXPECT_EQ(ok.load(), 600);
  EXPECT_EQ(other.load(), 0);
}

// On a projector the audience must see the cause before its effect: no request served under the
// new generation may reach the log before the line that announces the change.
TEST(Admin, TheChangeLineComesBeforeAnyRequestOfTheNewGeneration) {
  auto s = stage("self-signed");
  std::atomic<bool> stop{false};
  std::atomic<int> passed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c)
    clients.emplace_back([&] {
      Client client(s.proxy->port());
      for (int i = 0; i < 5000 && (!stop || passed.load() < 5); ++i)
        if (client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status == 200) ++passed;
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // let refused requests run first
  EXPECT_EQ(xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: Off").status, 200);
  stop = true;
  for (auto& c : clients) c.join();
  s.proxy->log()->flush();
  const auto lines = s.proxy->masked_lines();
  const auto notice = std::ranges::find_if(lines, [](const std::string& l) { return l.find("[admin] NOTICE: VerifyOriginServer changed") != std::string::npos; });
  ASSERT_NE(notice, lines.end());
  for (auto it = lines.begin(); it != notice; ++it)
    EXPECT_EQ(it->find("Msg=\"HTTP/1.1 200"), std::string::npos) << "a 200 of the new generation before the change line:\n" << *it;
  EXPECT_GE(passed.load(), 5);
}

TEST(Admin, ATransactionsLinesAreFoundByItsTrackingId) {
  auto s = stage("self-signed");
  {
    Client client(s.proxy->port());
    EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version", "lookup-me-1")).status, 502);
  }
  nlohmann::json body = nlohmann::json::object();
  const bool complete = wait_until([&] {  // the log tap is asynchronous
    auto reply = call(s, "GET", "/api/transactions/lookup-me-1");
    if (reply.status == 200) body = reply.body;
    return body.value("complete", false);
  });
  ASSERT_TRUE(complete) << body.dump();
  ASSERT_EQ(body["reasons"].size(), 2u) << body.dump();
  EXPECT_NE(body["reasons"][0].get<std::string>().find("WARNING: Core server certificate verification failed for (cucm.steven.lab)"),
            std::string::npos);
  EXPECT_NE(body["lines"].back().get<std::string>().find("Detail=\"Sending Response\""), std::string::npos);
  EXPECT_EQ(call(s, "GET", "/api/transactions/no-such-id").status, 404);
  EXPECT_EQ(call(s, "POST", "/api/transactions/lookup-me-1", &body).status, 405);
}

// RFC 9110 9.3.2: HEAD answers as GET does, with the same head and no body; on a kept-alive
// connection the next request is then read as it should be (no stray body bytes in between).
TEST(Admin, HeadAnswersAsGetDoesWithoutTheBody) {
  auto s = stage("self-signed");
  {
    Client client(s.proxy->port());
    EXPECT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version", "head-me-1")).status, 502);
  }
  // Its lines reach the lookup asynchronously: GET and HEAD must see the same, whole transaction.
  ASSERT_TRUE(wait_until([&] {
    const auto reply = call(s, "GET", "/api/transactions/head-me-1");
    return reply.status == 200 && reply.body.value("complete", false);
  }));
  auto header = [](const proxy::ClientResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return std::string("(none)");
  };
  for (const std::string path : {"/", "/api/state", "/metrics", "/api/transactions/head-me-1", "/api/transactions/no-such-id"}) {
    SCOPED_TRACE(path);
    proxy::BlockingClient client("127.0.0.1", s.to.port);
    const std::string fields = " HTTP/1.1\r\nHost: " + host(s) + "\r\n\r\n";
    client.send_raw("GET " + path + fields);
    const auto get = client.read_response();
    client.send_raw("HEAD " + path + fields);
    const auto head = client.read_response(true);
    EXPECT_EQ(head.status, get.status);
    EXPECT_TRUE(head.body.empty());
    ASSERT_FALSE(get.body.empty());
    for (const std::string name : {"Content-Type", "Content-Security-Policy", "Cache-Control", "Allow"})
      EXPECT_EQ(header(head, name), header(get, name)) << name;
    // The metrics count the scrape itself: only their length may differ between the two.
    if (path != "/metrics") EXPECT_EQ(header(head, "Content-Length"), std::to_string(get.body.size()));
    else EXPECT_NE(header(head, "Content-Length"), "(none)");
    client.send_raw("GET /api/state" + fields);
    const auto after = client.read_response();
    EXPECT_EQ(after.status, 200);
    EXPECT_NE(after.body.find("\"verify_origin_server\""), std::string::npos) << after.body;
  }
  // The event stream's HEAD is its head, and the connection ends there.
  proxy::BlockingClient stream("127.0.0.1", s.to.port);
  stream.send_raw("HEAD /api/events HTTP/1.1\r\nHost: " + host(s) + "\r\n\r\n");
  const auto events = stream.read_response(true);
  EXPECT_EQ(events.status, 200);
  EXPECT_EQ(header(events, "Content-Type"), "text/event-stream");
  EXPECT_TRUE(events.body.empty());
  // A resource that answers GET says so, HEAD included; a POST-only one still refuses HEAD.
  const auto post_state = raw(s, "POST /api/state HTTP/1.1\r\nHost: " + host(s) +
                                     "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_EQ(post_state.status, 405);
  EXPECT_EQ(header(post_state, "Allow"), "GET, HEAD");
  proxy::BlockingClient refused("127.0.0.1", s.to.port);
  refused.send_raw("HEAD /api/xconfiguration HTTP/1.1\r\nHost: " + host(s) + "\r\nConnection: close\r\n\r\n");
  const auto head_post = refused.read_response(true);
  EXPECT_EQ(head_post.status, 405);
  EXPECT_EQ(header(head_post, "Allow"), "POST");
  EXPECT_TRUE(head_post.body.empty());
}

TEST(Admin, MetricsAgreeWithTheRequestsMade) {
  auto s = stage("self-signed");
  Client client(s.proxy->port());
  const auto request = get_request("/" + s.segment + "/cucm-uds/version");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.exchange(request).status, 502);
  EXPECT_EQ(xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: Off").status, 200);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(client.exchange(request).status, 200);

  auto scrape = call(s, "GET", "/metrics");
  ASSERT_EQ(scrape.status, 200);
  const std::string origin = "cucm.steven.lab:" + std::to_string(s.origin->port());
  for (const std::string& expected : std::vector<std::string>
       {"# TYPE mratls_http_responses_total counter\n", "mratls_http_responses_total{code=\"200\"} 2\n",
        "mratls_http_responses_total{code=\"502\"} 3\n",
        "mratls_origin_verification_failures_total{origin=\"" + origin + "\",reason=\"self-signed\"} 3\n",
        "mratls_origin_tls_handshakes_total{result=\"ok\"} 1\n", "mratls_origin_tls_handshakes_total{result=\"failed\"} 3\n",
        "mratls_origin_pool_reuses_total 1\n", "mratls_client_connections 1\n"})
    EXPECT_NE(scrape.text.find(expected), std::string::npos) << expected << "\n" << scrape.text;

  // The origin table: the last status, and while it failed, the WARNING line and the fix.
  auto state = call(s, "GET", "/api/state").body;
  ASSERT_EQ(state["origins"].size(), 1u) << state.dump();
  EXPECT_EQ(state["origins"][0]["last_status"], 200);
  EXPECT_EQ(state["origins"][0]["requests"], 5);
  EXPECT_EQ(xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: On").status, 200);
  EXPECT_EQ(client.exchange(request).status, 502);
  state = call(s, "GET", "/api/state").body;
  const auto& o = state["origins"][0];
  EXPECT_EQ(o["host"], "cucm.steven.lab");
  EXPECT_EQ(o["last_status"], 502);
  ASSERT_FALSE(o["last_lines"].empty()) << o.dump();
  EXPECT_EQ(o["last_lines"][0].get<std::string>().rfind("[ET_NET 0] WARNING: Core server certificate verification failed for (cucm.steven.lab)", 0), 0u)
      << o.dump();
  EXPECT_NE(o["fix"].get<std::string>().find("trust store"), std::string::npos) << o.dump();
}

TEST(Admin, ConnectionsBeyondTheCapAreClosedAndTheListenerRecovers) {
  auto s = stage("ok-fqdn");
  std::vector<std::unique_ptr<proxy::BlockingClient>> idle;
  for (int i = 0; i < control::AdminServer::kMaxConnections; ++i)
    idle.push_back(std::make_unique<proxy::BlockingClient>("127.0.0.1", s.to.port));
  // The accepts are asynchronous: wait until the listener has counted them all.
  EXPECT_TRUE(wait_until([&] { return s.admin->open_connections() == control::AdminServer::kMaxConnections; }))
      << s.admin->open_connections() << " counted";
  proxy::BlockingClient one_more("127.0.0.1", s.to.port);
  EXPECT_TRUE(one_more.peer_closed()) << "the connection past the cap is closed at once";
  idle.clear();
  EXPECT_TRUE(wait_until([&] { return s.admin->open_connections() == 0; })) << s.admin->open_connections() << " still open";
  EXPECT_EQ(call(s, "GET", "/api/state").status, 200);
}

namespace {

// The configuration in force written to a file, and the proxy told to reload from it, as
// `mratls serve --config FILE` is.
std::string reload_source(Stage& s, const std::string& name) {
  auto path = (LabPki::get().dir / (name + "-" + std::to_string(::getpid()) + ".yaml")).string();
  std::ofstream(path) << config::to_yaml(s.proxy->server().runtime()->config);
  s.proxy->server().runtimes().set_source({path, -1});
  return path;
}

// "(runtime generation N)" at the end of a line, or 0.
std::uint64_t generation_of(const std::string& line) {
  static const std::regex tail(R"(\(runtime generation (\d+)\)$)");
  std::smatch m;
  return std::regex_search(line, m, tail) ? std::stoull(m[1]) : 0;
}

}  // namespace

// SIGHUP reads the file again; what the admin changed since is put back on top, each with its
// line, and what the file now agrees with is forgotten. The export keeps it all in one file.
TEST(Admin, AReloadKeepsTheAdminsChangesOnTopOfTheFileAndTheExportKeepsThem) {
  auto s = stage("self-signed");
  const auto file = reload_source(s, "keep");
  EXPECT_EQ(xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: Off").status, 200);
  EXPECT_EQ(login_status(s), 200);

  auto reloaded = s.proxy->server().runtimes().reload();
  ASSERT_TRUE(reloaded) << reloaded.error();
  const auto g = (*reloaded)->generation;
  EXPECT_EQ(login_status(s), 200) << "the reload kept VerifyOriginServer Off";
  EXPECT_TRUE(has_line(s, "[reload] NOTICE: configuration and trust store reloaded from " + file + " (runtime generation " +
                              std::to_string(g) + ")"));
  EXPECT_TRUE(has_line(s, "[reload] NOTICE: VerifyOriginServer kept at \"Off\" as the admin API set it (the file says \"On\") "
                          "(runtime generation " + std::to_string(g) + ")"));
  auto state = call(s, "GET", "/api/state").body;
  EXPECT_EQ(state["verify_origin_server"], "off");
  EXPECT_EQ(state["admin_changes"], nlohmann::json::array({"VerifyOriginServer Off"}));

  // Set back to what the file says: the next reload has nothing to keep.
  EXPECT_EQ(xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: On").status, 200);
  reloaded = s.proxy->server().runtimes().reload();
  ASSERT_TRUE(reloaded) << reloaded.error();
  EXPECT_FALSE(has_line(s, "kept at \"On\""));
  EXPECT_EQ(call(s, "GET", "/api/state").body["admin_changes"], nlohmann::json::array());
  EXPECT_EQ(login_status(s), 502);

  // The node's certificate uploaded: kept over the file at the next reload.
  nlohmann::json upload{{"pem", s.leaf_pem}};
  ASSERT_EQ(call(s, "POST", "/api/trust", &upload).status, 200);
  reloaded = s.proxy->server().runtimes().reload();
  ASSERT_TRUE(reloaded) << reloaded.error();
  EXPECT_TRUE(has_line(s, "[reload] NOTICE: trust store kept with CN=cucm.steven.lab"));
  EXPECT_EQ(login_status(s), 200);

  // A broken file is refused and changes nothing.
  const auto before = generation(s);
  std::ofstream(file) << "expressway: [broken\n";
  auto refused = s.proxy->server().runtimes().reload();
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find(file), std::string::npos) << refused.error();
  EXPECT_EQ(generation(s), before);
  EXPECT_EQ(login_status(s), 200);

  // GET /api/config: the configuration in force, the uploaded certificate written out, which
  // builds the same runtime again: the node passes under it.
  auto exported = call(s, "GET", "/api/config");
  ASSERT_EQ(exported.status, 200) << exported.text;
  auto loaded = config::load_config_text(exported.text, "exported.yaml", "/");
  ASSERT_TRUE(loaded) << loaded.error().to_string() << "\n" << exported.text;
  EXPECT_EQ(loaded->expressway.verify_origin_server, config::VerifyOriginServer::On);
  EXPECT_EQ(loaded->expressway.trusted_ca_certificates.size(), 2u) << exported.text;
  auto rebuilt = proxy::Runtime::build(*loaded, nullptr);
  ASSERT_TRUE(rebuilt) << rebuilt.error();
  EXPECT_EQ((*rebuilt)->trusted_certificates, 2u);
}

// The one owner of runtime changes under load: file reloads, admin changes and traffic at once,
// on two event threads. Every request passes; the generations are numbered in the order they
// came into force, each announced once by lines that stand together; and afterwards the pools
// reuse their connections (a pool left on an older generation would close every one).
TEST(Admin, ReloadsAdminChangesAndTrafficInterleaveWithoutLosingAnything) {
  auto s = stage("ok-fqdn", "", "127.0.0.1", 2);
  reload_source(s, "storm");
  const auto first = generation(s);
  auto unrelated = lab::make_ca("mratls Storm Unrelated CA").cert_pem();
  std::atomic<int> ok{0}, other{0}, reloads{0}, changes{0};
  std::atomic<bool> done{false};
  std::thread reloader([&] {
    for (int i = 0; i < 12; ++i) {
      auto r = s.proxy->server().runtimes().reload();
      EXPECT_TRUE(r) << r.error();
      if (r) ++reloads;
    }
  });
  std::thread flipper([&] {
    for (int i = 0; !done || i < 24; ++i) {
      control::AdminReply r;
      switch (i % 4) {
        case 0: r = xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: Off"); break;
        case 1: {
          nlohmann::json body{{"cipher_preference", i % 8 == 1 ? "rsa" : "ecdsa"}};
          r = call(s, "POST", "/api/settings", &body);
          break;
        }
        case 2: {
          nlohmann::json body{{"pem", unrelated}};
          r = call(s, "POST", "/api/trust", &body);
          break;
        }
        default: {
          auto state = call(s, "GET", "/api/state").body;
          std::string sha256;
          for (const auto& t : state["trust"])
            if (t["subject"].get<std::string>().find("Storm Unrelated") != std::string::npos) sha256 = t["sha256"];
          r = sha256.empty() ? control::AdminReply{500, {}, "the uploaded CA is gone"} : call(s, "DELETE", "/api/trust/" + sha256);
          EXPECT_EQ(r.status, 200) << i << ": " << r.text;
          changes += r.status == 200;
          r = xconfig(s, "xConfiguration EdgeConfigServer VerifyOriginServer: On");
        }
      }
      // Each call changes something: the admin's last values are in force whatever reloads ran.
      EXPECT_EQ(r.status, 200) << i << ": " << r.text;
      changes += r.status == 200;
    }
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c)
    clients.emplace_back([&] {
      Client client(s.proxy->port());
      for (int i = 0; i < 80; ++i)
        (client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status == 200 ? ok : other)++;
    });
  for (auto& c : clients) c.join();
  done = true;
  flipper.join();
  reloader.join();
  EXPECT_EQ(ok.load(), 240);
  EXPECT_EQ(other.load(), 0) << "a request refused while the runtime changed";

  // Each generation came into force once, in order, announced by lines that stand together.
  s.proxy->log()->flush();
  std::vector<std::uint64_t> announced;
  int reload_lines = 0;
  for (const auto& line : s.proxy->masked_lines()) {
    const auto g = generation_of(line);
    if (g == 0) continue;
    if (line.find("[reload] NOTICE: configuration and trust store reloaded") != std::string::npos) ++reload_lines;
    if (announced.empty() || announced.back() != g) announced.push_back(g);
  }
  const auto last = generation(s);
  ASSERT_FALSE(announced.empty());
  EXPECT_EQ(announced.front(), first + 1);
  EXPECT_EQ(announced.back(), last);
  for (std::size_t i = 1; i < announced.size(); ++i)
    EXPECT_EQ(announced[i], announced[i - 1] + 1) << "generation " << announced[i] << " after " << announced[i - 1];
  EXPECT_EQ(reload_lines, reloads.load());
  EXPECT_EQ(last - first, static_cast<std::uint64_t>(reloads.load() + changes.load()))
      << "every reload and every admin change made one generation";

  // The pools follow the generation in force: one connection's requests reuse one origin connection.
  const auto reused_before = s.proxy->server().metrics().pool_reuses;
  Client client(s.proxy->port());
  for (int i = 0; i < 10; ++i) ASSERT_EQ(client.exchange(get_request("/" + s.segment + "/cucm-uds/version")).status, 200);
  EXPECT_GE(s.proxy->server().metrics().pool_reuses - reused_before, 9u);
}

// Every trusted certificate removed through the API: the export says so (an empty store), and
// does not name the configuration's files again, which would bring them back.
TEST(Admin, AnExportAfterEveryCertificateWasRemovedTrustsNothing) {
  auto s = stage("ok-fqdn");
  const auto state = call(s, "GET", "/api/state").body;
  ASSERT_FALSE(state["trust"].empty());
  for (const auto& t : state["trust"])
    ASSERT_EQ(call(s, "DELETE", "/api/trust/" + t["sha256"].get<std::string>()).status, 200);
  ASSERT_TRUE(call(s, "GET", "/api/state").body["trust"].empty());
  auto exported = call(s, "GET", "/api/config");
  ASSERT_EQ(exported.status, 200) << exported.text;
  auto loaded = config::load_config_text(exported.text, "exported.yaml", "/");
  ASSERT_TRUE(loaded) << loaded.error().to_string() << "\n" << exported.text;
  EXPECT_TRUE(loaded->expressway.trusted_ca_certificates.empty()) << exported.text;
  EXPECT_EQ(login_status(s), 502) << "nothing trusted: the node is refused";
}
