// Idle keep-alive origin connections and TLS sessions, one pool per event thread so that no
// lock is taken on the request path and a socket stays on the thread that owns it.
#pragma once

#include <openssl/ssl.h>

#include <map>
#include <memory>
#include <vector>

#include "proxy/origin_connection.hpp"

namespace mratls::proxy {

struct SslSessionFree {
  void operator()(SSL_SESSION* s) const noexcept { SSL_SESSION_free(s); }
};
using SslSessionPtr = std::unique_ptr<SSL_SESSION, SslSessionFree>;

class OriginPool {
 public:
  // Every call names the runtime generation of the request that makes it (its key's). The pool
  // follows the newest generation it has been told of, never an older one: whatever order
  // requests and reload notices reach this thread in, a connection verified under older
  // settings is never handed out, and one of the current generation is always kept.

  // An idle connection for the key that is clean (still open, nothing waiting on it) and not
  // older than max_idle, or null. Others met on the way are closed.
  std::unique_ptr<OriginConnection> take(const OriginKey& key, std::chrono::milliseconds max_idle);
  // Keeps a connection of the current generation; one of an older one is closed.
  void give_back(std::unique_ptr<OriginConnection> conn, std::size_t max_idle_per_origin);

  SSL_SESSION* session(const OriginKey& key) const;
  // Sessions of an older generation are not kept: they were verified under other settings.
  void remember_session(const OriginKey& key, SslSessionPtr session);

  // A newer generation is in force (at start and after every change): idle connections and TLS
  // sessions of older ones are closed and forgotten; connections in use finish their request
  // and are closed when they come back. An older or equal generation changes nothing.
  void follow(std::uint64_t generation);
  std::uint64_t generation() const { return generation_; }
  std::size_t idle_connections() const;

  void clear();

 private:
  std::map<OriginKey, std::vector<std::unique_ptr<OriginConnection>>> idle_;
  std::map<OriginKey, SslSessionPtr> sessions_;
  std::uint64_t generation_ = 0;
};

}  // namespace mratls::proxy
