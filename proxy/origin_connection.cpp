#include "proxy/origin_connection.hpp"

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <sys/socket.h>

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

bool OriginConnection::looks_closed() {
  if (!socket().is_open()) return true;
  char byte;
  ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  return false;  // bytes waiting on an idle TLS connection: a late session ticket, usually
}

}  // namespace mratls::proxy
