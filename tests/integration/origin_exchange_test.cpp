// The origin side of a request without a client socket: an OriginExchange driven through a
// ClientSide made of strings, against a real TLS origin on loopback. What it relays, what it
// answers itself, and the lines and status it reports.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>

#include <cstring>
#include <deque>

#include "lab/collecting_sink.hpp"
#include "lab/scenarios.hpp"
#include "logs/log.hpp"
#include "proxy/origin_exchange.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

// A client that has sent `head_and_start` and sends each of `rest` when asked for more.
class StringClient : public proxy::ClientSide {
 public:
  StringClient(const std::string& head_and_start, std::deque<std::string> rest)
      : parser_(proxy::HttpParser::Kind::Request, {}), rest_(std::move(rest)) {
    append(head_and_start);
    buffer_.consume(parser_.feed(buffer_.view()));
  }
  ~StringClient() = default;

  proxy::HttpParser& request() override { return parser_; }
  proxy::ByteBuffer& received() override { return buffer_; }
  asio::awaitable<bool> read_more(std::chrono::milliseconds) override {
    if (rest_.empty()) co_return false;
    append(rest_.front());
    rest_.pop_front();
    co_return true;
  }
  bool timed_out() const override { return false; }
  asio::awaitable<bool> write(const proxy::Transaction&, std::string_view head, std::string_view body) override {
    written.append(head).append(body);
    co_return true;
  }
  asio::awaitable<bool> respond(proxy::Transaction& txn, const proxy::LocalResponse& r, bool keep_alive) override {
    txn.final_status(r.status);
    answered = r.status;
    co_return keep_alive;
  }
  const std::string& ip() const override { return ip_; }
  int port() const override { return 40000; }
  bool draining() const override { return false; }

  std::string written;  // what went to the client from the origin
  int answered = 0;     // the status of the proxy's own answer, if it gave one

 private:
  void append(std::string_view bytes) {
    auto space = buffer_.prepare();
    ASSERT_GE(space.size(), bytes.size());
    std::memcpy(space.data(), bytes.data(), bytes.size());
    buffer_.commit(bytes.size());
  }
  proxy::HttpParser parser_;
  proxy::ByteBuffer buffer_{4096, 16384};
  std::deque<std::string> rest_;
  std::string ip_ = "127.0.0.1";
};

struct ExchangeRun {
  bool keep = false;
  int status = 0;
  std::optional<verify::Outcome> outcome;
  std::vector<std::string> lines;
};

// One exchange for `client` with the origin of `scenario` (behaving as `behaviour`), on an event
// thread's io_context.
ExchangeRun exchange(const std::string& scenario, StringClient& client,
                     lab::OriginBehaviour behaviour = lab::OriginBehaviour::Serve, int origin_response_ms = 30000) {
  auto def = lab::scenario_origin(scenario);
  def.spec.behaviour = behaviour;
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  auto config = base_config(LabPki::get());
  config.timeouts.origin_response_ms = origin_response_ms;
  auto sink = std::make_shared<lab::CollectingSink>();
  auto log = logs::Log::over_sink(sink, config.log, config.expressway.system_name);
  auto rt = proxy::Runtime::build(config, log);
  if (!rt) throw std::runtime_error(rt.error());
  proxy::SharedState shared;
  proxy::EventThread thread(0);
  thread.pool.follow((*rt)->generation);
  proxy::Transaction txn(*rt, shared, thread, std::string("exchange-test"));
  txn.limit(std::chrono::seconds(60));
  proxy::OriginScratch scratch(thread.io.get_executor());
  const mra::MraTarget target{"steven.lab", "https", def.connect_host, (*origin)->port(), false};
  txn.route_to(&target);
  ExchangeRun run;
  bool done = false;
  proxy::OriginExchange ex(txn, thread, client, scratch);
  const std::string path = "/cucm-uds/version";  // the coroutine keeps references to its arguments
  asio::co_spawn(thread.io, ex.run(target, path), [&](std::exception_ptr e, bool keep) {
    if (e) std::rethrow_exception(e);
    run.keep = keep;
    done = true;
  });
  // Until the exchange ends: its idle deadline timer would otherwise hold run() for the origin timeout.
  while (!done) thread.io.run_one();
  thread.pool.clear();
  log->flush();
  run.status = txn.status();
  run.outcome = txn.outcome();
  run.lines = sink->lines();
  return run;
}

bool logged(const ExchangeRun& run, const std::string& needle) {
  return std::ranges::any_of(run.lines, [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

}  // namespace

TEST(OriginExchange, RelaysTheOriginsAnswerThroughTheClientSide) {
  StringClient client("GET /x/cucm-uds/version HTTP/1.1\r\nHost: vcs_control.steven.lab\r\n\r\n", {});
  auto run = exchange("ok-fqdn", client);
  EXPECT_TRUE(run.keep);
  EXPECT_EQ(run.status, 200);
  EXPECT_EQ(client.answered, 0) << "the origin answered, not the proxy";
  EXPECT_TRUE(client.written.starts_with("HTTP/1.1 200 ")) << client.written << ::testing::PrintToString(run.lines);
  EXPECT_NE(client.written.find("path=\"/cucm-uds/version\""), std::string::npos) << client.written;
  EXPECT_FALSE(run.outcome);
  EXPECT_TRUE(logged(run, "Detail=\"Sending Request\"")) << ::testing::PrintToString(run.lines);
  EXPECT_TRUE(logged(run, "Detail=\"Receive Response\""));
  EXPECT_TRUE(logged(run, "Detail=\"Sending Response\""));
}

TEST(OriginExchange, ABodyComesFromTheClientSideAsItArrives) {
  StringClient client("POST /x/cucm-uds/echo HTTP/1.1\r\nHost: vcs_control.steven.lab\r\nContent-Length: 11\r\n\r\nhel",
                      {"lo ", "world"});
  auto run = exchange("ok-fqdn", client);
  EXPECT_EQ(run.status, 200);
  EXPECT_TRUE(client.written.ends_with("hello world")) << "the mock origin echoes a POST body:\n" << client.written;
}

TEST(OriginExchange, ARefusedChainIsAnsweredBy502WithItsOutcome) {
  StringClient client("GET /x/cucm-uds/version HTTP/1.1\r\nHost: vcs_control.steven.lab\r\n\r\n", {});
  auto run = exchange("self-signed", client);
  EXPECT_EQ(client.answered, 502);
  EXPECT_EQ(run.status, 502);
  EXPECT_TRUE(client.written.empty()) << client.written;
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(std::holds_alternative<verify::ChainRefused>(*run.outcome));
  EXPECT_TRUE(logged(run, "WARNING: Core server certificate verification failed for (cucm.steven.lab)"))
      << ::testing::PrintToString(run.lines);
}

TEST(OriginExchange, AClientGoneMidBodyClosesWithoutAnAnswer) {
  StringClient client("POST /x/cucm-uds/echo HTTP/1.1\r\nHost: vcs_control.steven.lab\r\nContent-Length: 100\r\n\r\nhalf", {});
  auto run = exchange("ok-fqdn", client);
  EXPECT_FALSE(run.keep);
  EXPECT_EQ(client.answered, 0) << "nobody is there to read an answer";
  EXPECT_TRUE(client.written.empty()) << client.written;
}

// An origin that finishes the handshake and then takes nothing: once the socket buffers are
// full, a write makes no progress. The transaction ends with a 504 and its line after
// origin_response_ms, and the slot is free; before, it waited for good.
TEST(OriginExchange, AnOriginThatStopsReadingMidBodyEndsTheTransaction) {
  constexpr std::size_t kChunk = 4000, kChunks = 8000;  // 32 MB: more than loopback's socket buffers
  std::deque<std::string> body(kChunks, std::string(kChunk, 'x'));
  StringClient client("POST /x/cucm-uds/echo HTTP/1.1\r\nHost: vcs_control.steven.lab\r\nContent-Length: " +
                          std::to_string(kChunk * (kChunks + 1)) + "\r\n\r\n" + std::string(kChunk, 'x'),
                      std::move(body));
  auto run = exchange("ok-fqdn", client, lab::OriginBehaviour::Mute, 300);
  EXPECT_EQ(client.answered, 504);
  EXPECT_EQ(run.status, 504);
  EXPECT_FALSE(run.keep);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(std::holds_alternative<verify::OriginTimeout>(*run.outcome));
  EXPECT_TRUE(logged(run, "took no request bytes within 300 ms")) << ::testing::PrintToString(run.lines);
}
