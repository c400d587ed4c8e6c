// The origin pool follows the newest runtime generation it is told of, whatever order requests
// and reload notices reach its thread in: a connection verified under older settings is never
// handed out, and one of the generation in force is always kept.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "proxy/origin_pool.hpp"

using namespace mratls::proxy;

namespace {

// Idle loopback connections, open and silent as a kept-alive origin's are.
class Connections {
 public:
  Connections() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {}

  std::unique_ptr<OriginConnection> make(std::uint64_t generation) {
    asio::ip::tcp::socket client(io_);
    client.connect(acceptor_.local_endpoint());
    peers_.push_back(acceptor_.accept());
    return std::make_unique<OriginConnection>(key(generation), std::move(client));
  }
  static OriginKey key(std::uint64_t generation) { return {"https", "cucm.steven.lab", 8443, "127.0.0.1", generation}; }

 private:
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::vector<asio::ip::tcp::socket> peers_;
};

constexpr std::chrono::milliseconds kIdle{60000};

}  // namespace

TEST(OriginPool, FollowsTheNewestGenerationAndNeverGoesBack) {
  Connections c;
  OriginPool pool;
  pool.follow(5);
  pool.give_back(c.make(4), 8);
  EXPECT_EQ(pool.idle_connections(), 0u) << "a connection of an older generation is closed when it comes back";
  pool.give_back(c.make(5), 8);
  EXPECT_EQ(pool.idle_connections(), 1u);

  // A notice of an older generation arriving late (two changes, their posts interleaved) changes nothing.
  pool.follow(4);
  EXPECT_EQ(pool.generation(), 5u);
  EXPECT_EQ(pool.idle_connections(), 1u);

  // A request of a newer generation, before its notice has arrived: the pool follows it at once.
  pool.give_back(c.make(6), 8);
  EXPECT_EQ(pool.generation(), 6u);
  EXPECT_EQ(pool.idle_connections(), 1u) << "the generation-5 connection is closed, the new one kept";
  EXPECT_EQ(pool.take(Connections::key(5), kIdle), nullptr);
  auto reused = pool.take(Connections::key(6), kIdle);
  ASSERT_NE(reused, nullptr);
  EXPECT_EQ(reused->key().generation, 6u);
  pool.follow(6);
  pool.give_back(std::move(reused), 8);
  EXPECT_EQ(pool.idle_connections(), 1u) << "the notice of the generation already followed closes nothing";

  // A take under a newer generation finds nothing of the older one.
  EXPECT_EQ(pool.take(Connections::key(7), kIdle), nullptr);
  EXPECT_EQ(pool.idle_connections(), 0u);
}
