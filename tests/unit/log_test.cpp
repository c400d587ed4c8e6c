// The log writer: per-thread batching must keep every line, in order per thread, byte for byte
// as the line formats say, and flush() must mean "in the sink now".
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "lab/collecting_sink.hpp"
#include "logs/log.hpp"
#include "logs/syslog_clock.hpp"

using namespace mratls;
using namespace std::chrono;

namespace {

int cest(std::time_t) { return 2 * 3600; }
int new_york(std::time_t t) { return t < 1667714400 ? -4 * 3600 : -5 * 3600; }  // DST ends 2022-11-06 06:00 UTC

logs::TimePoint at_ms(std::int64_t ms) { return logs::TimePoint{milliseconds(ms)}; }

config::Log settings() {
  config::Log s;
  s.file = "-";
  return s;
}

}  // namespace

TEST(SyslogClock, EveryMillisecondMatchesTheFullPrefixAcrossSecondsAndOffsetChanges) {
  logs::SyslogClock clock("vcsc", 18242, cest);
  const std::int64_t base = 1657558525000;  // 2022-07-11T16:55:25Z
  for (std::int64_t ms = base - 1500; ms < base + 2500; ms += 7) {
    std::string out = "x";
    clock.append(out, at_ms(ms));
    EXPECT_EQ(out, "x" + logs::syslog_prefix(at_ms(ms), 2 * 3600, "vcsc", 18242)) << ms;
  }
  // Going back in time (a clock step) and across a change of offset.
  logs::SyslogClock ny("exp", 1, new_york);
  for (std::int64_t ms : {1667714399999LL, 1667714400000LL, 1667714399000LL, -1LL, 0LL, 999LL}) {
    std::string out;
    ny.append(out, at_ms(ms));
    EXPECT_EQ(out, logs::syslog_prefix(at_ms(ms), new_york(static_cast<std::time_t>(ms < 0 ? -1 : ms / 1000)), "exp", 1)) << ms;
  }
}

TEST(Log, FlushReturnsWithEveryLineInTheSinkAndTheLinesAreWhole) {
  auto sink = std::make_shared<lab::CollectingSink>();
  auto log = logs::Log::over_sink(sink, settings(), "vcsc");
  log->write(at_ms(1657558525910), "first");
  log->write(at_ms(1657558525911), "second\n |multi-line|");
  log->flush();
  const auto lines = sink->lines();
  ASSERT_EQ(lines.size(), 2u);
  const int offset = logs::local_utc_offset(1657558525);
  EXPECT_EQ(lines[0], logs::syslog_prefix(at_ms(1657558525910), offset, "vcsc", getpid()) + "first");
  EXPECT_EQ(lines[1], logs::syslog_prefix(at_ms(1657558525911), offset, "vcsc", getpid()) + "second\n |multi-line|");
}

TEST(Log, ALineReachesTheSinkWithoutAFlushWithinTheBatchInterval) {
  auto sink = std::make_shared<lab::CollectingSink>();
  auto log = logs::Log::over_sink(sink, settings(), "vcsc");
  log->write_now("[ET_NET 0] WARNING: tail -f sees this");
  // Generous for a loaded machine; the writer hands over every kBatchInterval (20 ms).
  EXPECT_TRUE(sink->wait_for("tail -f sees this", seconds(2)));
}

TEST(Log, ManyThreadsLoseNothingAndKeepTheirOwnOrder) {
  auto sink = std::make_shared<lab::CollectingSink>();
  constexpr int kThreads = 4, kLines = 20000;  // past the buffer size that makes a thread hand over itself
  {
    auto log = logs::Log::over_sink(sink, settings(), "vcsc");
    std::vector<std::jthread> writers;
    for (int t = 0; t < kThreads; ++t)
      writers.emplace_back([&, t] {
        const std::string pad(200, 'p');
        for (int i = 0; i < kLines; ++i) log->write_now("writer=" + std::to_string(t) + " n" + std::to_string(i) + " " + pad);
      });
  }  // writers joined, then the Log destroyed: the destructor hands the rest over
  std::vector<int> next(kThreads, 0);
  std::size_t total = 0;
  for (const auto& line : sink->lines()) {
    const auto t = line.find("writer=");
    ASSERT_NE(t, std::string::npos) << line;
    const int thread = line[t + 7] - '0';
    const int n = std::stoi(line.substr(line.find(" n", t) + 2));
    ASSERT_EQ(n, next[static_cast<std::size_t>(thread)]) << "thread " << thread << " out of order";
    ++next[static_cast<std::size_t>(thread)];
    ++total;
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kThreads * kLines));
}

TEST(Log, AFileGetsEveryLineOnceInOrderWithOneNewlineEach) {
  const auto path = std::filesystem::temp_directory_path() / ("mratls-log-test-" + std::to_string(getpid()) + ".log");
  std::filesystem::remove(path);
  config::Log s = settings();
  s.file = path.string();
  {
    auto log = logs::Log::open(s, "vcsc");
    ASSERT_TRUE(log.has_value()) << log.error();
    for (int i = 0; i < 3000; ++i) (*log)->write(at_ms(1657558525000 + i), "line " + std::to_string(i));
    (*log)->write(at_ms(1657558528000), "debug\n |two lines|");
    (*log)->flush();
    std::ifstream in(path);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string expected;
    const int offset = logs::local_utc_offset(1657558525);
    for (int i = 0; i < 3000; ++i)
      expected += logs::syslog_prefix(at_ms(1657558525000 + i), offset, "vcsc", getpid()) + "line " + std::to_string(i) + "\n";
    expected += logs::syslog_prefix(at_ms(1657558528000), offset, "vcsc", getpid()) + "debug\n |two lines|\n";
    EXPECT_EQ(all, expected);
  }
  std::filesystem::remove(path);
}
