#include "proxy/origin_pool.hpp"

namespace mratls::proxy {

std::unique_ptr<OriginConnection> OriginPool::take(const OriginKey& key, std::chrono::milliseconds max_idle) {
  follow(key.generation);
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  auto now = std::chrono::steady_clock::now();
  while (!list.empty()) {
    auto conn = std::move(list.back());
    list.pop_back();
    if (now - conn->idle_since <= max_idle && conn->clean_when_idle()) return conn;
    conn->close();
  }
  idle_.erase(it);
  return nullptr;
}

void OriginPool::give_back(std::unique_ptr<OriginConnection> conn, std::size_t max_idle_per_origin) {
  follow(conn->key().generation);
  if (conn->key().generation != generation_) {
    conn->close();
    return;
  }
  auto& list = idle_[conn->key()];
  if (list.size() >= max_idle_per_origin) {
    conn->close();
    return;
  }
  conn->idle_since = std::chrono::steady_clock::now();
  list.push_back(std::move(conn));
}

SSL_SESSION* OriginPool::session(const OriginKey& key) const {
  auto it = sessions_.find(key);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void OriginPool::remember_session(const OriginKey& key, SslSessionPtr session) {
  follow(key.generation);
  if (session && key.generation == generation_) sessions_[key] = std::move(session);
}

void OriginPool::follow(std::uint64_t generation) {
  if (generation <= generation_) return;
  generation_ = generation;
  std::erase_if(idle_, [&](auto& entry) {
    if (entry.first.generation == generation) return false;
    for (auto& c : entry.second) c->close();
    return true;
  });
  std::erase_if(sessions_, [&](const auto& entry) { return entry.first.generation != generation; });
}

std::size_t OriginPool::idle_connections() const {
  std::size_t n = 0;
  for (const auto& [key, list] : idle_) n += list.size();
  return n;
}

void OriginPool::clear() {
  for (auto& [k, v] : idle_)
    for (auto& c : v) c->close();
  idle_.clear();
  sessions_.clear();
}

}  // namespace mratls::proxy
