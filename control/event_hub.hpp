// The live events of GET /api/events: every log line and every state change, fanned out to
// each open event stream. Publishers (the log's writer thread, the controller) never wait on a
// client: each subscriber has a bounded queue, and one that falls that far behind is told so
// and dropped rather than left to grow. A new subscriber first gets the recent lines, so that
// a page opened mid-demonstration is not blank.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mratls::control {

struct Event {
  std::uint64_t id = 0;
  std::string name;  // "log" | "state"
  std::string data;
};

// "id: 7\nevent: log\ndata: ...\n\n", a data line per line of the event.
std::string sse_frame(const Event& e);

class EventHub {
 public:
  static constexpr std::size_t kQueueLimit = 10000;
  static constexpr std::size_t kRecentLines = 200;
  // Lines kept to answer "what did the proxy write for this TrackingID" (mratls login --admin).
  static constexpr std::size_t kLookupLines = 4000;

  struct Subscriber {
    explicit Subscriber(const asio::any_io_executor& ex) : wake(ex) {}
    asio::steady_timer wake;  // cancelled when events arrive; touched on its executor only
    std::mutex mutex;
    std::deque<Event> queue;  // under mutex
    bool overflowed = false;  // under mutex
    bool notified = false;    // under mutex: a wake-up is on its way
  };

  void publish(std::string name, std::string data);

  // The recent log lines come first in the queue.
  std::shared_ptr<Subscriber> subscribe(const asio::any_io_executor& ex);
  void unsubscribe(const std::shared_ptr<Subscriber>& s);
  std::size_t subscribers() const;
  // The last kLookupLines log lines, oldest first.
  std::vector<std::string> recent_lines() const;
  // Forgets every subscriber, before the executor they wait on goes: nothing is posted to it after.
  void close();

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Subscriber>> subscribers_;
  std::deque<Event> recent_;
  std::deque<std::string> lookup_;
  std::uint64_t next_id_ = 1;
};

}  // namespace mratls::control
