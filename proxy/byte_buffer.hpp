#pragma once

#include <asio/buffer.hpp>

#include <string_view>
#include <vector>

namespace mratls::proxy {

// Bytes read but not yet consumed, with room to read more behind them.
class ByteBuffer {
 public:
  explicit ByteBuffer(std::size_t capacity = 16384) : data_(capacity) {}

  std::string_view view() const { return {data_.data() + begin_, end_ - begin_}; }
  bool empty() const { return begin_ == end_; }
  std::size_t size() const { return end_ - begin_; }
  void consume(std::size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  asio::mutable_buffer prepare() {
    if (end_ == data_.size()) {
      if (begin_ > 0) {
        std::copy(data_.begin() + static_cast<long>(begin_), data_.begin() + static_cast<long>(end_), data_.begin());
        end_ -= begin_;
        begin_ = 0;
      } else {
        data_.resize(data_.size() * 2);
      }
    }
    return asio::buffer(data_.data() + end_, data_.size() - end_);
  }
  void commit(std::size_t n) { end_ += n; }

 private:
  std::vector<char> data_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace mratls::proxy
