#pragma once

#include <asio/buffer.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>

namespace mratls::proxy {

// Bytes read but not yet consumed, with room to read more behind them. The storage is taken
// at the first read and not zero-filled: a connection that has sent nothing holds no buffer.
// It starts small; a read that fills it means more was waiting, and the next
// storage taken while empty is twice the size, up to `grown`.
class ByteBuffer {
 public:
  explicit ByteBuffer(std::size_t capacity = 16384, std::size_t grown = 0)
      : wanted_(capacity), grown_(std::max(capacity, grown)) {}

  std::string_view view() const { return {data_.get() + begin_, end_ - begin_}; }
  bool empty() const { return begin_ == end_; }
  std::size_t size() const { return end_ - begin_; }
  void consume(std::size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() { begin_ = end_ = 0; }
  asio::mutable_buffer prepare() {
    if (!data_ || (empty() && wanted_ > capacity_)) {
      data_ = std::make_unique_for_overwrite<char[]>(wanted_);
      capacity_ = wanted_;
    } else if (end_ == capacity_) {
      if (begin_ > 0) {
        std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      } else {
        auto bigger = std::make_unique_for_overwrite<char[]>(capacity_ * 2);
        std::memcpy(bigger.get(), data_.get(), end_);
        data_ = std::move(bigger);
        capacity_ *= 2;
      }
    }
    return asio::buffer(data_.get() + end_, capacity_ - end_);
  }
  void commit(std::size_t n) {
    end_ += n;
    if (end_ == capacity_ && capacity_ < grown_) wanted_ = std::min(capacity_ * 2, grown_);
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t wanted_;  // the size of the next storage taken
  std::size_t grown_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace mratls::proxy
