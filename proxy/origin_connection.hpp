// One connection to an origin: plain TCP (TFTP on 6970) or TLS.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "verify/outcome.hpp"

namespace mratls::proxy {

// Connections are reused only for the same origin under the same verification settings.
struct OriginKey {
  std::string protocol;
  std::string host;
  std::uint16_t port = 0;
  std::string ip;
  std::uint64_t generation = 0;
  auto operator<=>(const OriginKey&) const = default;
};

class OriginConnection {
 public:
  using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

  OriginConnection(OriginKey key, asio::ip::tcp::socket socket);
  OriginConnection(OriginKey key, std::unique_ptr<TlsStream> tls);

  asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, std::error_code& ec);
  asio::awaitable<void> write_all(asio::const_buffer buffer, std::error_code& ec);

  asio::ip::tcp::socket& socket();
  SSL* ssl() { return tls_ ? tls_->native_handle() : nullptr; }
  const OriginKey& key() const { return key_; }
  void cancel();
  void close();
  // An idle connection can carry another request only when the origin has neither closed it
  // nor sent anything on it: a byte waiting there (an unsolicited response, a body after a
  // HEAD answer) would be read as the answer to somebody else's request.
  bool clean_when_idle();

  std::chrono::steady_clock::time_point idle_since;
  bool session_remembered = false;  // its TLS session is in the pool for resumption
  // What log-only let through at its handshake (Action=Continue): every request it carries is
  // one that VerifyOriginServer On would refuse. Null when nothing was found.
  std::shared_ptr<const std::vector<verify::Outcome>> warned;

 private:
  OriginKey key_;
  std::unique_ptr<asio::ip::tcp::socket> plain_;
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace mratls::proxy
