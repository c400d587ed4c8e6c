// The lazy deadline: arming writes down a time, and the timer must still fire at the right
// moment, never for a disarmed operation, and never after the Deadline is gone.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "proxy/deadline.hpp"

using namespace mratls;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

// Runs the context until `until` (steady clock), or until it runs out of work.
void run_until(asio::io_context& io, steady_clock::time_point until) {
  asio::steady_timer stop(io);
  stop.expires_at(until);
  stop.async_wait([&io](std::error_code) { io.stop(); });
  io.run();
  io.restart();
}

}  // namespace

TEST(Deadline, FiresAfterItsTimeAndSaysSo) {
  asio::io_context io;
  proxy::Deadline d(io.get_executor());
  const auto start = steady_clock::now();
  steady_clock::time_point fired{};
  d.arm(40ms, [&] { fired = steady_clock::now(); });
  run_until(io, start + 300ms);
  ASSERT_NE(fired, steady_clock::time_point{});
  EXPECT_GE(fired - start, 40ms);
  EXPECT_TRUE(d.expired());
}

TEST(Deadline, ADisarmedOperationNeverTimesOut) {
  asio::io_context io;
  proxy::Deadline d(io.get_executor());
  bool fired = false;
  d.arm(20ms, [&] { fired = true; });
  d.disarm();
  run_until(io, steady_clock::now() + 100ms);
  EXPECT_FALSE(fired);
  EXPECT_FALSE(d.expired());
}

TEST(Deadline, ReArmingLaterMovesTheTimeout) {
  asio::io_context io;
  proxy::Deadline d(io.get_executor());
  const auto start = steady_clock::now();
  int first = 0;
  steady_clock::time_point second{};
  d.arm(30ms, [&] { ++first; });
  // Before the first time passes, the operation ends and another one arms for 120 ms.
  asio::steady_timer later(io);
  later.expires_after(10ms);
  later.async_wait([&](std::error_code) {
    d.disarm();
    d.arm(120ms, [&] { second = steady_clock::now(); });
  });
  run_until(io, start + 60ms);
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, steady_clock::time_point{}) << "fired at the first, cancelled time";
  EXPECT_FALSE(d.expired());
  run_until(io, start + 400ms);
  ASSERT_NE(second, steady_clock::time_point{});
  EXPECT_GE(second - start, 130ms);
  EXPECT_EQ(first, 0);
}

TEST(Deadline, ReArmingEarlierThanTheWaitInProgressFiresEarlier) {
  asio::io_context io;
  proxy::Deadline d(io.get_executor());
  const auto start = steady_clock::now();
  steady_clock::time_point fired{};
  d.arm(10s, [] { FAIL() << "the long timeout's callback ran"; });
  d.disarm();
  d.arm(30ms, [&] {
    fired = steady_clock::now();
    io.stop();
  });
  // The bound is the behaviour, with a wide margin: the short timeout fires, not the long one
  // it replaced (10 s).
  run_until(io, start + 5s);
  ASSERT_NE(fired, steady_clock::time_point{});
  EXPECT_LT(fired - start, 5s);
}

TEST(Deadline, GoingAwayWithAWaitInProgressIsSafe) {
  asio::io_context io;
  bool fired = false;
  {
    proxy::Deadline d(io.get_executor());
    d.arm(20ms, [&] { fired = true; });
  }
  run_until(io, steady_clock::now() + 80ms);
  EXPECT_FALSE(fired);
}
