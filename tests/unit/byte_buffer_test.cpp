// The connection buffer: nothing held until a read, growth when reads fill it, bytes kept.
#include <gtest/gtest.h>

#include <cstring>

#include "proxy/byte_buffer.hpp"

using mratls::proxy::ByteBuffer;

namespace {

std::size_t fill(ByteBuffer& b, char c, std::size_t n) {
  auto room = b.prepare();
  const auto k = std::min(n, room.size());
  std::memset(room.data(), c, k);
  b.commit(k);
  return k;
}

}  // namespace

TEST(ByteBuffer, HoldsNothingUntilTheFirstRead) {
  ByteBuffer b(4096, 16384);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.view().size(), 0u);
  EXPECT_EQ(b.prepare().size(), 4096u);
}

TEST(ByteBuffer, AReadThatFillsItMakesTheNextStorageLargerUpToTheCap) {
  ByteBuffer b(4096, 16384);
  EXPECT_EQ(fill(b, 'a', 1 << 20), 4096u);
  b.consume(4096);
  EXPECT_EQ(b.prepare().size(), 8192u);
  EXPECT_EQ(fill(b, 'b', 1 << 20), 8192u);
  b.consume(8192);
  EXPECT_EQ(fill(b, 'c', 1 << 20), 16384u);
  b.consume(16384);
  EXPECT_EQ(b.prepare().size(), 16384u) << "never past the cap";
}

TEST(ByteBuffer, UnconsumedBytesSurviveGrowthAndCompaction) {
  ByteBuffer b(8, 8);
  fill(b, 'x', 8);
  b.consume(5);                        // "xxx" left at the end
  EXPECT_EQ(fill(b, 'y', 5), 5u);      // moved to the front, then filled behind
  EXPECT_EQ(b.view(), "xxxyyyyy");
  EXPECT_EQ(fill(b, 'z', 3), 3u);      // full and nothing consumed: doubles, keeps the bytes
  EXPECT_EQ(b.view(), "xxxyyyyyzzz");
}
