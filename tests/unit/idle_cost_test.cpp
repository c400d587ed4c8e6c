// What an idle client connection holds in the proxy: its socket, a timer and pointers. What a
// request needs (the buffers, the parser, the origin side's scratch) is made by its first
// request, so that 10,000 idle connections cost little (README, Benchmarks: idle ≤ 2 KiB each).
// A budget in bytes, with room for another platform's asio, that a member held by value breaks.
#include <gtest/gtest.h>

#include "proxy/client_session.hpp"

TEST(IdleCost, AnIdleSessionHoldsItsSocketATimerAndPointers) {
  EXPECT_LE(sizeof(mratls::proxy::ClientSession), 512u)
      << "a member of ClientSession held by value costs every idle connection its size; hold what a request needs "
         "through a pointer made on the first request";
}
