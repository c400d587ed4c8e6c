#include "proxy/origin_connection.hpp"

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <openssl/bio.h>
#include <sys/socket.h>

#include <cerrno>

namespace mratls::proxy {

OriginConnection::OriginConnection(OriginKey key, asio::ip::tcp::socket socket)
    : key_(std::move(key)), plain_(std::make_unique<asio::ip::tcp::socket>(std::move(socket))) {}

OriginConnection::OriginConnection(OriginKey key, std::unique_ptr<TlsStream> tls)
    : key_(std::move(key)), tls_(std::move(tls)) {}

asio::ip::tcp::socket& OriginConnection::socket() { return tls_ ? tls_->next_layer() : *plain_; }

asio::awaitable<std::size_t> OriginConnection::read_some(asio::mutable_buffer buffer, std::error_code& ec) {
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  if (tls_) co_return co_await tls_->async_read_some(buffer, token);
  co_return co_await plain_->async_read_some(buffer, token);
}

asio::awaitable<void> OriginConnection::write_all(asio::const_buffer buffer, std::error_code& ec) {
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  if (tls_) co_await asio::async_write(*tls_, buffer, token);
  else co_await asio::async_write(*plain_, buffer, token);
}

void OriginConnection::cancel() {
  std::error_code ignored;
  socket().cancel(ignored);
}

void OriginConnection::close() {
  std::error_code ignored;
  socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

bool OriginConnection::clean_when_idle() {
  if (!socket().is_open()) return false;
  if (SSL* s = ssl()) {
    // Bytes the TLS layer holds already: decrypted, or read into its BIO and not yet processed.
    if (SSL_pending(s) > 0 || SSL_has_pending(s) || BIO_ctrl_pending(SSL_get_rbio(s)) > 0) return false;
  }
  char byte;
  ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace mratls::proxy
