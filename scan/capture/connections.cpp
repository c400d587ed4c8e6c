#include "scan/capture/connections.hpp"

#include <algorithm>

namespace mratls::scan::capture {

void ConnectionTable::add(const TcpSegment& s, std::int64_t time_us) {
  const bool forward = s.from < s.to;
  auto key = forward ? std::pair(s.from, s.to) : std::pair(s.to, s.from);
  auto it = connections_.find(key);
  if (it == connections_.end()) {
    if (connections_.size() >= max_connections_) {
      ++not_read_;
      return;
    }
    Connection c{key.first, key.second, time_us, connections_.size(), -1, TcpDirection(per_direction_), TcpDirection(per_direction_)};
    it = connections_.emplace(std::move(key), std::move(c)).first;
  }
  auto& c = it->second;
  if (s.syn && !s.ack && c.syn_from < 0) c.syn_from = forward ? 0 : 1;
  auto& direction = forward ? c.from_a : c.from_b;
  const auto before = direction.stored();
  direction.add(s.seq, s.syn, held_ < budget_ ? s.payload : std::span<const std::uint8_t>{});
  held_ += direction.stored() - before;
}

std::vector<Handshake> ConnectionTable::handshakes() const {
  std::vector<const Connection*> ordered;
  for (const auto& [key, c] : connections_) ordered.push_back(&c);
  std::ranges::sort(ordered, [](const Connection* x, const Connection* y) { return x->order < y->order; });
  std::vector<Handshake> out;
  for (const auto* c : ordered) {
    auto a = c->from_a.contiguous();
    auto b = c->from_b.contiguous();
    if (a.data.empty() && b.data.empty()) continue;
    auto read_a = read_tls(a.data);
    auto read_b = read_tls(b.data);
    bool a_is_client;
    if (c->syn_from >= 0) a_is_client = c->syn_from == 0;
    else if (read_a.client_hello || read_b.client_hello) a_is_client = read_a.client_hello.has_value();
    else a_is_client = c->a.port > c->b.port;
    Handshake h;
    h.client = a_is_client ? c->a : c->b;
    h.server = a_is_client ? c->b : c->a;
    h.first_us = c->first_us;
    h.from_start = a.from_start && b.from_start;
    h.gap = a.gap || b.gap;
    h.from_client = std::move(a_is_client ? read_a : read_b);
    h.from_server = std::move(a_is_client ? read_b : read_a);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace mratls::scan::capture
