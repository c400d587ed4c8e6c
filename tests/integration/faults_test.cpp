// The proxy under hostile clients and misbehaving origins (issue: no smuggling, no response
// mix-ups, every fault logged). Each test drives the real proxy over real sockets against an
// origin that reads with its own strict parser, and checks the status, the exact line and
// what the origin read.
#include <gtest/gtest.h>

#include <dirent.h>

#include <thread>

#include "scripted_origin.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;
using namespace std::chrono_literals;
using Then = ScriptedReply::Then;

namespace {

struct Rig {
  std::unique_ptr<ScriptedOrigin> origin;
  std::unique_ptr<ProxyUnderTest> proxy;
  config::Config config;

  explicit Rig(ScriptedOriginSpec spec, const std::function<void(config::Config&)>& tweak = {})
      : origin(std::make_unique<ScriptedOrigin>(std::move(spec))) {
    config = base_config(LabPki::get());
    config.allow_list.push_back({"https://cucm.steven.lab:" +
                                     std::to_string(origin->port()) + "/cucm-uds/",
                                 config::MatchType::Prefix, {"GET", "POST", "PUT", "HEAD"}});
    if (tweak) tweak(config);
    proxy = std::make_unique<ProxyUnderTest>(config);
  }

  std::string path(const std::string& rest = "/cucm-uds/version", const std::string& host = "cucm.steven.lab") const {
    return "/" + segment_for(host, origin->port()) + rest;
  }

  // The lines written so far that contain `needle`, masked.
  std::vector<std::string> lines_with(const std::string& needle) {
    std::vector<std::string> out;
    for (const auto& l : proxy->masked_lines({origin->port()}))
      if (l.find(needle) != std::string::npos) out.push_back(l);
    return out;
  }

  // The log is written on a thread of its own, and a flush does not wait for it: a line written
  // after the last Sending Response (a body that broke off) may still be on its way.
  std::vector<std::string> wait_lines_with(const std::string& needle, std::size_t count = 1) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5) * time_scale();
    auto lines = lines_with(needle);
    while (lines.size() < count && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      lines = lines_with(needle);
    }
    return lines;
  }

  // Waits for the n-th Sending Response line, so that every line of the request is written.
  void settle(std::size_t responses) {
    EXPECT_TRUE(proxy->sink().wait_for_count("Detail=\"Sending Response\"", responses))
        << "fewer than " << responses << " responses logged";
  }

  bool serves_again() {
    Client again(proxy->port());
    return again.exchange(get_request(path())).status == 200;
  }

  bool origin_saw_clean_bytes() const { return origin->parse_errors().empty(); }
};

ScriptedOriginSpec replying(std::function<ScriptedReply(const ReceivedRequest&)> script) {
  ScriptedOriginSpec spec;
  spec.script = std::move(script);
  return spec;
}

// Echoes what it read, so that a client can tell its own answer from another's.
ScriptedReply echo(const ReceivedRequest& r) { return reply_with(http_response(200, r.method + " " + r.target + " " + r.body)); }

std::string post(const std::string& path, const std::string& headers, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: vcs_control.steven.lab:8443\r\n" + headers + "\r\n" + body;
}

int open_fds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

}  // namespace

// --- Framing: Content-Length and Transfer-Encoding are never dropped as hop-by-hop ---------

TEST(Framing, ConnectionNamingContentLengthKeepsTheBodyInItsRequest) {
  Rig rig(replying(echo));
  const std::string smuggled = "DELETE /ccmadmin/users HTTP/1.1\r\nHost: cucm\r\n\r\n";
  Client client(rig.proxy->port());
  auto r = client.exchange(post(rig.path("/cucm-uds/x"),
                                "Connection: keep-alive, Content-Length\r\nContent-Length: " + std::to_string(smuggled.size()) + "\r\n",
                                smuggled));
  EXPECT_EQ(r.status, 200);
  auto seen = rig.origin->requests();
  ASSERT_EQ(seen.size(), 1u) << "the origin read the body as a second request";
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/cucm-uds/x");
  EXPECT_EQ(seen[0].body, smuggled);
  EXPECT_TRUE(rig.origin_saw_clean_bytes());
}

TEST(Framing, ConnectionNamingTransferEncodingKeepsTheChunks) {
  Rig rig(replying(echo));
  Client client(rig.proxy->port());
  auto r = client.exchange(post(rig.path("/cucm-uds/x"), "Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n",
                                "5\r\nhello\r\n0\r\n\r\n"));
  EXPECT_EQ(r.status, 200);
  auto seen = rig.origin->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, "hello");
  EXPECT_TRUE(rig.origin_saw_clean_bytes()) << rig.origin->parse_errors().front();
}

TEST(Framing, AResponseWhoseConnectionNamesContentLengthReachesTheClientFramed) {
  Rig rig(replying([](const ReceivedRequest&) {
    return reply_with("HTTP/1.1 200 \r\nConnection: keep-alive, Content-Length\r\nContent-Length: 5\r\n\r\nhello");
  }));
  proxy::BlockingClient client("127.0.0.1", rig.proxy->port(), 3s);
  for (int i = 0; i < 2; ++i) {
    auto r = client.exchange(get_request(rig.path()));
    ASSERT_EQ(r.status, 200) << "request " << i;
    EXPECT_EQ(r.body, "hello");
    EXPECT_FALSE(r.closed);
  }
}

// --- The pool: a connection with bytes waiting is never reused ------------------------------

TEST(Pool, AnUnsolicitedResponseOnAnIdleConnectionNeverReachesAnotherClient) {
  Rig rig(replying([](const ReceivedRequest& r) {
    ScriptedReply reply = echo(r);
    if (r.connection == 1) {
      reply.unsolicited = http_response(200, "POISON");
      reply.unsolicited_after = 20ms;
    }
    return reply;
  }));
  {
    Client a(rig.proxy->port());
    EXPECT_EQ(a.exchange(get_request(rig.path("/cucm-uds/a"))).body, "GET /cucm-uds/a ");
  }
  ASSERT_TRUE(rig.origin->wait_unsolicited_sent(1));  // and in the proxy's receive queue
  Client b(rig.proxy->port());
  auto r = b.exchange(get_request(rig.path("/cucm-uds/b")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /cucm-uds/b ") << "client b received a response that was not its own";
  EXPECT_EQ(rig.origin->accepted(), 2) << "the poisoned connection should have been dropped";
}

TEST(Pool, ABodyAfterAnAnswerToHeadClosesTheConnection) {
  Rig rig(replying([](const ReceivedRequest& r) {
    ScriptedReply reply = echo(r);
    if (r.method == "HEAD") {
      reply.bytes = "HTTP/1.1 200 \r\nContent-Length: 5\r\n\r\n";
      reply.unsolicited = "hello";  // the body a HEAD answer must not have, a moment later
      reply.unsolicited_after = 20ms;
    }
    return reply;
  }));
  Client client(rig.proxy->port());
  client.send_raw("HEAD " + rig.path() + " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.read_response(true).status, 200);
  ASSERT_TRUE(rig.origin->wait_unsolicited_sent(1));
  auto r = client.exchange(get_request(rig.path("/cucm-uds/next")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /cucm-uds/next ");
}

// An origin that resets the first handshake and answers the retry (connect_attempts_max_retries):
// the request passed, and whoever keeps outcomes (the lab, login --admin) must not explain it
// as the first attempt's failure. The first attempt's lines stay: it happened.
TEST(Retries, ARequestThatPassesOnARetryIsNotRecordedAsFailed) {
  ScriptedOriginSpec spec;
  spec.on_accept = OnAccept::ResetInHandshake;
  spec.faulty_connections = 1;
  spec.script = echo;
  Rig rig(std::move(spec), [](config::Config& c) { c.expressway.connect_attempts_max_retries = 1; });
  Client client(rig.proxy->port());
  EXPECT_EQ(client.exchange(get_request(rig.path(), "passed-on-retry")).status, 200);
  ASSERT_TRUE(rig.proxy->in_process().wait_for_response(1));
  EXPECT_EQ(rig.lines_with("Detail=\"Sending Request\"").size(), 2u) << "two attempts";
  EXPECT_FALSE(rig.proxy->in_process().outcomes().diagnosis("passed-on-retry").has_value())
      << verify::to_string(rig.proxy->in_process().outcomes().diagnosis("passed-on-retry")->cause);
}

TEST(Pool, ReloadClosesTheOldGenerationsIdleConnections) {
  Rig rig(replying(echo));
  {
    Client client(rig.proxy->port());
    ASSERT_EQ(client.exchange(get_request(rig.path())).status, 200);
  }
  ASSERT_TRUE(rig.origin->wait_open_connections(1));
  for (int i = 0; i < 3; ++i) {
    auto next = rig.proxy->server().runtimes().change([&](const proxy::Runtime&) {
      return std::expected<std::optional<proxy::NextRuntime>, std::string>(proxy::NextRuntime{rig.config, nullptr, nullptr, {}, {}});
    });
    ASSERT_TRUE(next) << next.error();
    EXPECT_TRUE(rig.origin->wait_open_connections(0)) << "reload " << i << " left " << rig.origin->open_connections()
                                                      << " idle origin connections open";
    Client client(rig.proxy->port());
    ASSERT_EQ(client.exchange(get_request(rig.path())).status, 200);
    EXPECT_TRUE(rig.origin->wait_open_connections(1));
  }
}

// --- Hosts in one canonical form ------------------------------------------------------------

TEST(Hosts, AnUpperCaseHostInThePathUsesTheHostsMap) {
  Rig rig(replying(echo));
  Client client(rig.proxy->port());
  auto r = client.exchange(get_request(rig.path("/cucm-uds/version", "CUCM.Steven.LAB")));
  EXPECT_EQ(r.status, 200) << "the host should resolve through hosts:, not DNS";
  EXPECT_FALSE(rig.lines_with("Request=\"https://CUCM.Steven.LAB:PORT/cucm-uds/version\"").empty())
      << "lines keep the name as written";
}

// --- Request bodies that break after the head has gone ---------------------------------------

struct BadBody {
  std::string name, body, text;
};

class RequestBody : public ::testing::TestWithParam<BadBody> {};

TEST_P(RequestBody, AnswersFourHundredWithALineAndClosesTheOriginConnection) {
  Rig rig(replying(echo));
  Client client(rig.proxy->port());
  auto r = client.exchange(post(rig.path("/cucm-uds/x"), "Transfer-Encoding: chunked\r\n", GetParam().body));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
  rig.settle(1);
  auto lines = rig.lines_with("WARNING: Bad request from 127.0.0.1:");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(": " + GetParam().text), std::string::npos) << lines[0];
  EXPECT_TRUE(rig.origin->requests().empty()) << "the origin read a complete request";
  EXPECT_TRUE(rig.origin->wait_open_connections(0)) << "the origin connection with a partial request stayed open";
  EXPECT_TRUE(rig.serves_again());
}

INSTANTIATE_TEST_SUITE_P(Chunked, RequestBody,
                         ::testing::Values(BadBody{"size_overflow", "fffffffffffffffff1\r\nx\r\n0\r\n\r\n", "Chunk size overflow"},
                                           BadBody{"hex_prefix", "0x5\r\nhello\r\n0\r\n\r\n", "Invalid character in chunk size"},
                                           BadBody{"plus_sign", "+5\r\nhello\r\n0\r\n\r\n", "Invalid character in chunk size"},
                                           BadBody{"bare_lf", "5\nhello\n0\n\n", "Invalid character in chunk size"},
                                           BadBody{"bare_lf_at_the_end", "5\r\nhello\r\n0\r\n\n", "chunk framing line ended by LF without CR"},
                                           BadBody{"data_longer_than_size", "5\r\nhelloEXTRA\r\n0\r\n\r\n", "Invalid character in chunk size"}),
                         [](const auto& info) { return info.param.name; });

// --- Origins that misbehave -------------------------------------------------------------------

struct OriginFault {
  std::string name;
  std::function<ScriptedOriginSpec()> spec;
  int status;         // what the client gets; 0: a clean close after a response began
  std::string line;   // the WARNING (or ERROR) line, masked
};

std::vector<OriginFault> origin_faults() {
  auto reply = [](std::string bytes, Then then = Then::Keep) {
    return [bytes, then] { return replying([bytes, then](const ReceivedRequest&) { return reply_with(bytes, then); }); };
  };
  auto on_accept = [](OnAccept a) {
    return [a] {
      ScriptedOriginSpec s;
      s.on_accept = a;
      return s;
    };
  };
  std::string hundred_continues;
  for (int i = 0; i < 1000; ++i) hundred_continues += "HTTP/1.1 100 Continue\r\n\r\n";
  return {
      {"resets_in_handshake", on_accept(OnAccept::ResetInHandshake), 502,
       "[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': Connection reset by peer"},
      {"stalls_in_handshake", on_accept(OnAccept::StallInHandshake), 502,
       "[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': handshake timed out"},
      {"closes_before_responding", on_accept(OnAccept::CloseAfterRequest), 502,
       "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT connection closed before a response"},
      {"malformed_status_line", reply("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"), 502,
       "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT malformed response: Invalid response status"},
      {"two_content_lengths", reply("HTTP/1.1 200 \r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"), 502,
       "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT malformed response: Duplicate Content-Length"},
      {"one_megabyte_header", reply("HTTP/1.1 200 \r\nX-Big: " + std::string(1 << 20, 'a') + "\r\nContent-Length: 0\r\n\r\n"), 502,
       "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT malformed response: header fields larger than 65536 bytes"},
      {"unrequested_101", reply("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"), 502,
       "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT sent 101 Switching Protocols to a request that asked for no upgrade"},
      {"a_thousand_100_continues", reply(hundred_continues + http_response(200, "late")), 502,
       "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT malformed response: more than 8 interim (1xx) responses"},
      {"bad_chunk_size_mid_body", reply("HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n"), 0,
       "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT malformed response body: Invalid character in chunk size"},
      {"body_shorter_than_its_length", reply("HTTP/1.1 200 \r\nContent-Length: 100\r\n\r\nonly this", Then::Close), 0,
       "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT connection closed in the middle of a response body: "},
      {"trickles_its_head", [] {
         return replying([](const ReceivedRequest&) {
           ScriptedReply r;
           r.trickled = http_response(200, "slow");
           return r;
         });
       }, 504, "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT no response within 1000 ms"},
      {"trickles_its_body", [] {
         return replying([](const ReceivedRequest&) {
           ScriptedReply r = reply_with("HTTP/1.1 200 \r\nContent-Length: 100\r\n\r\n");
           r.trickled = std::string(100, 'x');
           return r;
         });
       }, 0, "[ET_NET 0] WARNING: Origin cucm.steven.lab:PORT transaction not complete within 1500 ms"},
  };
}

bool slow_by_design(const OriginFault& f) { return f.name.starts_with("stalls") || f.name.starts_with("trickles"); }

class Origins : public ::testing::TestWithParam<OriginFault> {};

TEST_P(Origins, GetAStatusOrACleanCloseAndALineAndTheProxyKeepsServing) {
  // The faults that stall or trickle test a timeout: they set the short ones their lines name.
  const bool timed = slow_by_design(GetParam());
  Rig rig(GetParam().spec(), [timed](config::Config& c) {
    c.timeouts.transaction_ms = 1500;
    if (timed) c.timeouts.handshake_ms = c.timeouts.origin_response_ms = 1000;
  });
  ScriptedOrigin good(replying(echo));
  {
    proxy::BlockingClient client("127.0.0.1", rig.proxy->port(), 5s);
    auto r = client.exchange(get_request(rig.path()));
    if (GetParam().status != 0) {
      EXPECT_EQ(r.status, GetParam().status) << r.reason;
    } else {
      EXPECT_TRUE(r.closed || r.status == 0) << "a response that broke after it began must end in a close";
    }
  }
  rig.settle(1);
  auto lines = rig.wait_lines_with(GetParam().line);
  std::string all;
  for (const auto& l : rig.proxy->masked_lines({rig.origin->port()})) all += "  " + l + "\n";
  EXPECT_EQ(lines.size(), 1u) << "expected one line with: " << GetParam().line << "\n" << all;
  if (GetParam().status == 502) {
    EXPECT_EQ(rig.lines_with("Msg=\"HTTP/1.1 502 connect failed\"").size(), 1u) << all;
  }
  if (GetParam().name != "stalls_in_handshake") {
    EXPECT_TRUE(rig.origin->wait_open_connections(0)) << "origin connection left open";
  }
}

INSTANTIATE_TEST_SUITE_P(Misbehaving, Origins, ::testing::ValuesIn(origin_faults()), [](const auto& info) { return info.param.name; });

// --- Slow clients ----------------------------------------------------------------------------

TEST(SlowPeer, AClientTricklingItsBodyGetsRequestTimeout) {
  Rig rig(replying(echo), [](config::Config& c) { c.timeouts.transaction_ms = 1500; });
  proxy::BlockingClient client("127.0.0.1", rig.proxy->port(), 10s);
  client.send_raw(post(rig.path("/cucm-uds/x"), "Content-Length: 100\r\n", ""));
  std::atomic<bool> stop{false};
  std::thread trickler([&] {
    for (int i = 0; i < 100 && !stop; ++i) {
      client.send_raw("x");
      std::this_thread::sleep_for(100ms);
    }
  });
  auto r = client.read_response();
  stop = true;
  trickler.join();
  EXPECT_EQ(r.status, 408);
  rig.settle(1);
  EXPECT_EQ(rig.lines_with("WARNING: Request body from 127.0.0.1:").size(), 1u);
  EXPECT_EQ(rig.lines_with("not complete within 1500 ms").size(), 1u);
  EXPECT_TRUE(rig.origin->requests().empty());
  EXPECT_TRUE(rig.origin->wait_open_connections(0));
}

// --- Many faults, no leak --------------------------------------------------------------------

TEST(Leaks, TwoThousandFaultyRequestsLeaveOnlyThePooledConnections) {
  std::vector<std::unique_ptr<ScriptedOrigin>> origins;
  auto config = base_config(LabPki::get());
  for (const auto& f : origin_faults()) {
    if (slow_by_design(f)) continue;
    origins.push_back(std::make_unique<ScriptedOrigin>(f.spec()));
  }
  origins.push_back(std::make_unique<ScriptedOrigin>(replying(echo)));
  for (const auto& o : origins)
    config.allow_list.push_back({"https://cucm.steven.lab:" + std::to_string(o->port()) + "/cucm-uds/",
                                 config::MatchType::Prefix, {"GET", "POST", "HEAD"}});
  ProxyUnderTest proxy(config);
  const int baseline = open_fds();
  const std::vector<std::string> client_faults = {
      "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
      "Connection: keep-alive, Content-Length\r\nContent-Length: 4\r\n\r\nGET ",
      "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
  };
  for (int i = 0; i < 2000; ++i) {
    const auto& origin = *origins[static_cast<std::size_t>(i) % origins.size()];
    const std::string path = "/" + segment_for("cucm.steven.lab", origin.port()) + "/cucm-uds/x" + std::to_string(i);
    proxy::BlockingClient client("127.0.0.1", proxy.port(), 5s);
    if (i % 4 == 3)
      client.send_raw("POST " + path + " HTTP/1.1\r\nHost: x\r\n" + client_faults[static_cast<std::size_t>(i / 4) % client_faults.size()]);
    else
      client.send_raw(get_request(path));
    (void)client.read_response();
  }
  // Every origin connection still open is the far end of a pooled idle one: two descriptors each.
  int expected = 0;
  const bool settled = wait_until([&] {
    expected = baseline;
    for (const auto& o : origins) expected += 2 * o->open_connections();
    return open_fds() == expected;
  });
  EXPECT_TRUE(settled) << open_fds() << " descriptors open, " << expected << " expected: leaked after 2,000 faulty requests";
  Client again(proxy.port());
  EXPECT_EQ(again.exchange(get_request("/" + segment_for("cucm.steven.lab", origins.back()->port()) + "/cucm-uds/v")).status, 200);
}
