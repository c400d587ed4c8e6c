// An event thread ([ET_NET n]): its own io_context, origin pool and client sessions.
#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_set>

#include "proxy/metrics.hpp"
#include "proxy/origin_pool.hpp"
#include "proxy/runtime.hpp"
#include "proxy/runtime_manager.hpp"

namespace mratls::proxy {

class ClientSession;

// What every session reads that outlives it: the current runtime, counters, the drain flag.
struct SharedState {
  std::unique_ptr<RuntimeManager> runtimes;  // set before any thread runs
  std::atomic<bool> draining{false};
  std::atomic<std::uint64_t> next_txn{1};
  std::atomic<int> connections{0};
  std::atomic<std::uint64_t> accept_failures{0};  // descriptors or memory ran out
  OriginBoard board;
};

struct EventThread {
  explicit EventThread(int index) : index(index), work(asio::make_work_guard(io)) {}

  int index;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work;
  OriginPool pool;
  ThreadCounters counters;
  std::unordered_set<ClientSession*> sessions;  // touched on this thread only
  std::thread thread;
};

}  // namespace mratls::proxy
