// A timeout for the operation in progress: when it expires, the callback cancels the socket
// and the pending operation completes with operation_aborted. Re-arming or disarming makes
// any expiry already queued a no-op — provided the timer and the operation share one
// serialized executor (an event thread's io_context, or a strand), which every user ensures.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace mratls::proxy {

class Deadline {
 public:
  explicit Deadline(const asio::any_io_executor& ex) : timer_(ex), state_(std::make_shared<State>()) {}

  template <class OnExpire>
  void arm(std::chrono::milliseconds after, OnExpire on_expire) {
    auto generation = ++state_->generation;
    state_->expired = false;
    timer_.expires_after(after);
    timer_.async_wait([state = state_, generation, on_expire = std::move(on_expire)](std::error_code ec) mutable {
      if (ec || state->generation != generation) return;
      state->expired = true;
      on_expire();
    });
  }

  void disarm() {
    ++state_->generation;
    timer_.cancel();
  }

  bool expired() const { return state_->expired; }

 private:
  struct State {
    std::uint64_t generation = 0;
    bool expired = false;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

}  // namespace mratls::proxy
