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
  // An idle connection for the key that is clean (still open, nothing waiting on it) and not
  // older than max_idle, or null. Others met on the way are closed.
  std::unique_ptr<OriginConnection> take(const OriginKey& key, std::chrono::milliseconds max_idle);
  // Keeps a connection of the current runtime generation; one of an older one is closed.
  void give_back(std::unique_ptr<OriginConnection> conn, std::size_t max_idle_per_origin);

  SSL_SESSION* session(const OriginKey& key) const;
  // Sessions of an older generation are not kept: they were verified under other settings.
  void remember_session(const OriginKey& key, SslSessionPtr session);

  // The runtime generation now in force (at start and on every reload): idle connections and
  // TLS sessions of others are closed and forgotten; connections in use finish their request
  // and are closed when they come back.
  void set_generation(std::uint64_t generation);

  void clear();

 private:
  std::map<OriginKey, std::vector<std::unique_ptr<OriginConnection>>> idle_;
  std::map<OriginKey, SslSessionPtr> sessions_;
  std::uint64_t generation_ = 0;
};

}  // namespace mratls::proxy
