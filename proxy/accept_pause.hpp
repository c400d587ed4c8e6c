// What an accept loop does when accept fails. Out of descriptors (EMFILE, ENFILE) or of kernel
// memory (ENOBUFS, ENOMEM), the pending connection stays in the backlog and the same error comes
// back at once: re-arming immediately only spins. The loop waits, says so at most once a second,
// and goes on. Pure values: the loops (proxy/server.cpp, control/admin_server.cpp) own the timer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace mratls::proxy {

struct AcceptPause {
  std::chrono::milliseconds wait{0};
  bool exhausted = false;  // descriptors or memory: worth a line and a count
};

inline constexpr std::chrono::milliseconds kExhaustedPause{100};

// Asio's own system category ("asio.system") maps to no std::errc condition: its values are errno's.
inline bool is(const std::error_code& ec, std::errc e) {
  return ec == e || (std::string_view(ec.category().name()).ends_with("system") && ec.value() == static_cast<int>(e));
}

inline AcceptPause pause_after(const std::error_code& ec) {
  using enum std::errc;
  if (is(ec, too_many_files_open) || is(ec, too_many_files_open_in_system) || is(ec, no_buffer_space) || is(ec, not_enough_memory))
    return {kExhaustedPause, true};
  // A connection reset before it was accepted is the peer's: accept the next one at once.
  if (is(ec, connection_aborted) || is(ec, connection_reset) || is(ec, interrupted)) return {};
  // Anything else may repeat as fast: a short pause keeps it from spinning.
  return {std::chrono::milliseconds(10), false};
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
