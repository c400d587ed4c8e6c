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
  // An idle connection for the key that is still open and not older than max_idle, or null.
  std::unique_ptr<OriginConnection> take(const OriginKey& key, std::chrono::milliseconds max_idle);
  void give_back(std::unique_ptr<OriginConnection> conn, std::size_t max_idle_per_origin);

  SSL_SESSION* session(const OriginKey& key) const;
  void remember_session(const OriginKey& key, SslSessionPtr session);

  std::size_t idle_count() const;
  void clear();

 private:
  std::map<OriginKey, std::vector<std::unique_ptr<OriginConnection>>> idle_;
  std::map<OriginKey, SslSessionPtr> sessions_;
};

}  // namespace mratls::proxy
