// A timeout for the operation in progress: when it expires, the callback cancels the socket
// and the pending operation completes with operation_aborted.
//
// Arming and disarming only write down a time: the timer is started when nothing is waiting or
// the new time is earlier than the wait in progress, and a wait that ends before the time now
// armed simply waits again. A connection re-arms for every read and write, almost always to a
// later time, so the timer queue is touched about once per timeout, not twice per operation.
//
// Everything here, the callback included, runs on one serialized executor (an event thread's
// io_context, or a strand), which every user ensures.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace mratls::proxy {

class Deadline {
 public:
  explicit Deadline(const asio::any_io_executor& ex) : state_(std::make_shared<State>(ex)) {}
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  ~Deadline() {
    state_->armed = false;
    state_->on_expire = nullptr;
    state_->timer.cancel();
  }

  template <class OnExpire>
  void arm(std::chrono::milliseconds after, OnExpire on_expire) {
    State& s = *state_;
    s.at = std::chrono::steady_clock::now() + after;
    s.armed = true;
    s.expired = false;
    s.on_expire = std::move(on_expire);
    if (!s.waiting || s.at < s.wait_until) start_wait(state_);
  }

  // The callback will not run for the operation just finished.
  void disarm() { state_->armed = false; }

  // Whether the last armed time passed before disarm(); stays so until the next arm().
  bool expired() const { return state_->expired; }

 private:
  struct State {
    explicit State(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    std::chrono::steady_clock::time_point at;          // when the armed operation times out
    std::chrono::steady_clock::time_point wait_until;  // when the wait in progress ends
    std::uint64_t wait_serial = 0;                     // tells the current wait from cancelled ones
    bool waiting = false;
    bool armed = false;
    bool expired = false;
    std::function<void()> on_expire;
  };

  // The state, timer included, lives as long as a wait on it: a completion already queued when
  // the Deadline goes finds it disarmed rather than freed.
  static void start_wait(const std::shared_ptr<State>& state) {
    State& s = *state;
    s.waiting = true;
    s.wait_until = s.at;
    const auto serial = ++s.wait_serial;
    s.timer.expires_at(s.at);  // cancels a later wait in progress: its completion is stale
    s.timer.async_wait([state, serial](std::error_code ec) {
      State& st = *state;
      if (serial != st.wait_serial) return;
      st.waiting = false;
      if (ec || !st.armed) return;
      if (std::chrono::steady_clock::now() < st.at) {
        start_wait(state);
        return;
      }
      st.armed = false;
      st.expired = true;
      if (st.on_expire) st.on_expire();
    });
  }

  std::shared_ptr<State> state_;
};

}  // namespace mratls::proxy
