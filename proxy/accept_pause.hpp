// What an accept loop does when accept fails. Out of descriptors (EMFILE, ENFILE) or of kernel
// memory (ENOBUFS, ENOMEM), the pending connection stays in the backlog and the same error comes
// back at once: re-arming immediately only spins. The loop waits, says so at most once a second,
// and goes on. Pure values: the loops (proxy/server.cpp, control/admin_server.cpp) own the timer.
#pragma once

#include <chrono>
#include <cstdint>
#include <system_error>

namespace mratls::proxy {

struct AcceptPause {
  std::chrono::milliseconds wait{0};
  bool exhausted = false;  // descriptors or memory: worth a line and a count
};

inline constexpr std::chrono::milliseconds kExhaustedPause{100};

// `error`: the errno value accept failed with, or 0 for an error of another kind. A value, not a
// std::error_code: Asio's own system category maps to no std::errc condition, and comparing
// through the categories' virtuals trips clang's vptr check on libstdc++'s categories.
inline AcceptPause pause_after(int error) {
  const auto is = [error](std::errc e) { return error == static_cast<int>(e); };
  using enum std::errc;
  if (is(too_many_files_open) || is(too_many_files_open_in_system) || is(no_buffer_space) || is(not_enough_memory))
    return {kExhaustedPause, true};
  // A connection reset before it was accepted is the peer's: accept the next one at once.
  if (is(connection_aborted) || is(connection_reset) || is(interrupted)) return {};
  // Anything else may repeat as fast: a short pause keeps it from spinning.
  return {std::chrono::milliseconds(10), false};
}

// The errno value of an error from a socket operation (Asio's system category or the standard
// one, told apart by identity), or 0.
template <class Category>
int errno_of(const std::error_code& ec, const Category& asio_system) {
  const auto& category = ec.category();
  return category == asio_system || category == std::system_category() || category == std::generic_category() ? ec.value() : 0;
}

// One line a second at most; the next one says how many were not written.
class RateLimitedLine {
 public:
  explicit RateLimitedLine(std::chrono::milliseconds every = std::chrono::seconds(1)) : every_(every) {}

  // Whether to write a line now; when it is, `suppressed` holds how many were dropped since.
  bool due(std::chrono::steady_clock::time_point now, std::uint64_t& suppressed) {
    if (written_ && now - last_ < every_) {
      ++dropped_;
      return false;
    }
    suppressed = dropped_;
    dropped_ = 0;
    last_ = now;
    written_ = true;
    return true;
  }

 private:
  std::chrono::milliseconds every_;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t dropped_ = 0;
  bool written_ = false;
};

}  // namespace mratls::proxy
