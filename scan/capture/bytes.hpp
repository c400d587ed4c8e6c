// Bounds-checked big-endian reading over captured bytes: every read past the end fails instead
// of reading it, so that a truncated or hostile packet is an answer, never an overrun.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace mratls::scan::capture {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::size_t left() const { return bytes_.size() - at_; }
  std::size_t offset() const { return at_; }
  bool ok() const { return ok_; }

  std::uint32_t u8() { return static_cast<std::uint32_t>(take(1)); }
  std::uint32_t u16() { return static_cast<std::uint32_t>(take(2)); }
  std::uint32_t u24() { return static_cast<std::uint32_t>(take(3)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(take(4)); }

  // The next n bytes, or an empty span (and not ok) when fewer are left.
  std::span<const std::uint8_t> bytes(std::size_t n) {
    if (!ok_ || n > left()) {
      ok_ = false;
      return {};
    }
    auto out = bytes_.subspan(at_, n);
    at_ += n;
    return out;
  }
  void skip(std::size_t n) { (void)bytes(n); }
  std::span<const std::uint8_t> rest() { return bytes(left()); }

 private:
  std::uint64_t take(std::size_t n) {
    auto b = bytes(n);
    std::uint64_t v = 0;
    for (auto byte : b) v = (v << 8) | byte;
    return v;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace mratls::scan::capture
