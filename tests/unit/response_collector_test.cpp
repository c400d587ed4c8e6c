#include <gtest/gtest.h>

#include "proxy/response_collector.hpp"

using mratls::proxy::ResponseCollector;

namespace {

// Feeds `wire` in pieces of `step` bytes, as a socket might deliver them; returns what was
// left over after the response.
std::string feed_in_steps(ResponseCollector& r, const std::string& wire, std::size_t step) {
  std::string pending;
  for (std::size_t at = 0; at < wire.size() && !r.done(); at += step) {
    pending += wire.substr(at, step);
    pending.erase(0, r.feed(pending));
  }
  if (!r.done()) pending.erase(0, r.feed(pending));
  return pending;
}

}  // namespace

TEST(ResponseCollector, InterimResponsesAreSkippedWhateverTheSplit) {
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
  for (std::size_t step : {1u, 3u, 7u, 4096u}) {
    ResponseCollector r;
    auto rest = feed_in_steps(r, wire, step);
    ASSERT_TRUE(r.complete()) << step;
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.reason(), "OK");
    EXPECT_EQ(r.body(), "hello world");
    ASSERT_EQ(r.headers().size(), 2u);
    EXPECT_EQ(r.headers()[1].first, "X-A");
    EXPECT_EQ(r.interim(), std::vector<int>{100});
    if (step == 4096) {
      EXPECT_EQ(rest, "HTTP/1.1 204 No Content\r\n\r\n");
    }
  }
}

// Asked to, the collector stops at the interim response, so a client can wait for a 100
// Continue before it sends the body; the final response is left for the next one.
TEST(ResponseCollector, AnInterimResponseCanBeReadOnItsOwn) {
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  const std::string final_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  for (std::size_t step : {1u, 5u, 4096u}) {
    ResponseCollector first(false, true);
    const auto rest = feed_in_steps(first, interim + final_response, step);
    ASSERT_TRUE(first.done()) << step;
    EXPECT_FALSE(first.complete());
    EXPECT_EQ(first.status(), 100);
    EXPECT_EQ(first.reason(), "Continue");
    if (step == 4096) {
      EXPECT_EQ(rest, final_response);
    }
  }
  ResponseCollector second;
  EXPECT_EQ(second.feed(final_response), final_response.size());
  EXPECT_TRUE(second.complete());
  EXPECT_EQ(second.body(), "ok");
  EXPECT_TRUE(second.interim().empty());
}

TEST(ResponseCollector, ABodyWithNoBytesCompletesWithItsHead) {
  ResponseCollector empty;
  empty.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(empty.complete());
  ResponseCollector head(true);
  head.feed("HTTP/1.1 200 OK\r\nContent-Length: 512\r\n\r\n");
  EXPECT_TRUE(head.complete());
  EXPECT_EQ(head.body(), "");
}

TEST(ResponseCollector, ABodyToTheCloseEndsWithFinish) {
  ResponseCollector r;
  r.feed("HTTP/1.0 200 OK\r\n\r\nsome");
  r.feed("thing");
  EXPECT_FALSE(r.done());
  r.finish();
  EXPECT_TRUE(r.complete());
  EXPECT_EQ(r.body(), "something");
}

TEST(ResponseCollector, GarbageFailsWithoutAStatus) {
  ResponseCollector r;
  r.feed("SSH-2.0-OpenSSH_9.2\r\n");
  EXPECT_TRUE(r.done());
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(r.status(), 0);
}
