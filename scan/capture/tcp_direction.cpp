#include "scan/capture/tcp_direction.hpp"

#include <algorithm>

namespace mratls::scan::capture {

void TcpDirection::add(std::uint32_t seq, bool syn, std::span<const std::uint8_t> payload) {
  ++segments_;
  if (!anchored_) {
    anchored_ = true;
    anchor_ = seq;
  }
  std::int64_t at = offset_of(seq);
  if (syn) {
    syn_seen_ = true;
    start_ = at + 1;  // the SYN takes one sequence number
    ++at;
  }
  // Nothing before the connection's first byte, once the SYN says where that is.
  std::int64_t begin = syn_seen_ ? std::max(at, start_) : at;
  const std::int64_t end = at + static_cast<std::int64_t>(payload.size());
  // Keep only what no held segment already covers: a retransmission adds nothing, an
  // overlapping one adds its new ends.
  while (begin < end) {
    auto next = held_.upper_bound(begin);
    if (next != held_.begin()) {
      auto prev = std::prev(next);
      const std::int64_t prev_end = prev->first + static_cast<std::int64_t>(prev->second.size());
      if (prev_end > begin) {
        const auto covered = std::min(prev_end, end) - begin;
        retransmitted_ += static_cast<std::uint64_t>(covered);
        begin += covered;
        continue;
      }
    }
    const std::int64_t piece_end = next == held_.end() ? end : std::min(end, next->first);
    if (stored_ + static_cast<std::size_t>(piece_end - begin) > limit_) return;
    const auto* from = payload.data() + (begin - at);
    held_.emplace(begin, std::string(reinterpret_cast<const char*>(from), static_cast<std::size_t>(piece_end - begin)));
    stored_ += static_cast<std::size_t>(piece_end - begin);
    begin = piece_end;
  }
}

TcpDirection::Bytes TcpDirection::contiguous() const {
  Bytes out;
  out.from_start = syn_seen_;
  if (held_.empty()) return out;
  std::int64_t expect = syn_seen_ ? start_ : held_.begin()->first;
  for (const auto& [offset, bytes] : held_) {
    if (offset + static_cast<std::int64_t>(bytes.size()) <= expect) continue;
    if (offset > expect) {
      out.gap = true;
      break;
    }
    out.data.append(bytes, static_cast<std::size_t>(expect - offset));
    expect = offset + static_cast<std::int64_t>(bytes.size());
  }
  return out;
}

}  // namespace mratls::scan::capture
