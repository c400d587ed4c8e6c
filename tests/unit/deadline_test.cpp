// The lazy deadline: arming writes down a time, and the timer must still fire at the right
// moment, never for a disarmed operation, and never after the Deadline is gone.
#include <gtest/gtest.h>

#include <asio/error.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "proxy/accept_pause.hpp"
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

// What an accept loop does after a failed accept: descriptors or memory running out pause it
// (Asio's own system category included, which maps to no std::errc); a peer's abort does not.
TEST(AcceptPause, RunningOutPausesAndOnlyThat) {
  const auto errno_of = [](const std::error_code& ec) { return mratls::proxy::errno_of(ec, asio::error::get_system_category()); };
  const auto emfile = mratls::proxy::pause_after(errno_of(std::error_code(EMFILE, asio::error::get_system_category())));
  EXPECT_TRUE(emfile.exhausted);
  EXPECT_EQ(emfile.wait, mratls::proxy::kExhaustedPause);
  EXPECT_TRUE(mratls::proxy::pause_after(errno_of(std::make_error_code(std::errc::too_many_files_open_in_system))).exhausted);
  const auto aborted = mratls::proxy::pause_after(errno_of(std::error_code(ECONNABORTED, asio::error::get_system_category())));
  EXPECT_FALSE(aborted.exhausted);
  EXPECT_EQ(aborted.wait.count(), 0);
  EXPECT_GT(mratls::proxy::pause_after(errno_of(std::make_error_code(std::errc::permission_denied))).wait.count(), 0);
  EXPECT_FALSE(mratls::proxy::pause_after(errno_of(asio::error::make_error_code(asio::error::eof))).exhausted);
}

TEST(AcceptPause, OneLineASecondSaysHowManyWereNotWritten) {
  mratls::proxy::RateLimitedLine line;
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  std::uint64_t dropped = 99;
  EXPECT_TRUE(line.due(t0, dropped));
  EXPECT_EQ(dropped, 0u);
  EXPECT_FALSE(line.due(t0 + std::chrono::milliseconds(100), dropped));
  EXPECT_FALSE(line.due(t0 + std::chrono::milliseconds(900), dropped));
  EXPECT_TRUE(line.due(t0 + std::chrono::milliseconds(1000), dropped));
  EXPECT_EQ(dropped, 2u);
}
