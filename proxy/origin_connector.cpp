#include "proxy/origin_connector.hpp"

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <openssl/err.h>

#include "logs/line_format.hpp"
#include "proxy/deadline.hpp"
#include "verify/x509_text.hpp"

namespace mratls::proxy {
namespace {

using asio::ip::tcp;

std::string system_error_text(const std::error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "unexpected eof while reading";
  return ec.message();
}

}  // namespace

OriginKey origin_key(const Runtime& rt, const MraTarget& target, const asio::ip::address& address) {
  return OriginKey{target.protocol, target.host, target.port, address.to_string(), rt.generation};
}

asio::awaitable<std::expected<asio::ip::address, std::string>> resolve_origin(const Runtime& rt, const MraTarget& target) {
  std::error_code ec;
  if (auto it = rt.config.hosts.find(target.host); it != rt.config.hosts.end()) {
    auto addr = asio::ip::make_address(it->second, ec);
    if (ec) co_return std::unexpected("hosts entry for " + target.host + " is not an address: " + it->second);
    co_return addr;
  }
  if (target.host_is_ip) co_return asio::ip::make_address(target.host, ec);
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto results = co_await resolver.async_resolve(target.host, std::to_string(target.port),
                                                 asio::redirect_error(asio::use_awaitable, ec));
  if (ec || results.empty()) co_return std::unexpected("cannot resolve " + target.host + ": " + ec.message());
  for (const auto& r : results)
    if (r.endpoint().address().is_v4()) co_return r.endpoint().address();
  co_return results.begin()->endpoint().address();
}

asio::awaitable<std::expected<std::unique_ptr<OriginConnection>, ConnectError>> connect_origin(
    const Runtime& rt, OriginPool& pool, const MraTarget& target, const asio::ip::address& address, int thread) {
  auto& log = *rt.log;
  const auto& timeouts = rt.config.timeouts;
  const std::string ip = address.to_string();
  auto key = origin_key(rt, target, address);
  auto ex = co_await asio::this_coro::executor;

  tcp::socket socket(ex);
  Deadline deadline(ex);
  std::error_code ec;
  deadline.arm(std::chrono::milliseconds(timeouts.connect_ms), [&socket] {
    std::error_code ignored;
    socket.close(ignored);
  });
  co_await socket.async_connect(tcp::endpoint(address, target.port), asio::redirect_error(asio::use_awaitable, ec));
  deadline.disarm();
  if (ec || deadline.expired()) {
    std::string why = deadline.expired() ? "connect timed out" : ec.message();
    log.write_now(logs::thread_line(thread, "WARNING",
                                    "Connect to origin failed for '" + target.host + "': " + why + " server=" + target.host +
                                        "(" + ip + ") port=" + std::to_string(target.port)));
    co_return std::unexpected(ConnectError{why});
  }
  socket.set_option(tcp::no_delay(true), ec);

  if (target.protocol == "http") co_return std::make_unique<OriginConnection>(key, std::move(socket));

  auto tls = std::make_unique<OriginConnection::TlsStream>(std::move(socket), *rt.origin_tls);
  SSL* ssl = tls->native_handle();
  // RFC 6066: no SNI for an IP literal; the name checked and logged is then the remote IP.
  const std::string check_name = target.host_is_ip ? ip : target.host;
  if (!target.host_is_ip) SSL_set_tlsext_host_name(ssl, target.host.c_str());
  if (rt.config.origin.tls_session_reuse)
    if (SSL_SESSION* s = pool.session(key)) SSL_set_session(ssl, s);

  verify::OriginVerification verification({check_name, target.host, ip}, rt.enforcement());
  if (rt.verifies()) verification.attach(ssl);

  deadline.arm(std::chrono::milliseconds(timeouts.handshake_ms), [&tls] {
    std::error_code ignored;
    tls->next_layer().close(ignored);
  });
  co_await tls->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  deadline.disarm();

  // Log-only mode may leave the name check for after the handshake; it is still logged after the
  // chain findings, as the appliance orders them.
  const bool refused_after = !ec && rt.verifies() && !verification.after_handshake(ssl);
  for (const auto& f : verification.findings())
    log.write_now(logs::verification_line(thread, f, verification.identity(), verification.enforcement(), log.openssl_text()));

  if (ec || refused_after) {
    std::string text;
    if (deadline.expired()) text = "handshake timed out";
    else if (refused_after || !verification.findings().empty()) text = verify::certificate_verify_failed_text(log.openssl_text());
    else if (ec.category() == asio::error::get_ssl_category()) text = verify::ssl_error_text(static_cast<unsigned long>(ec.value()), log.openssl_text());
    else text = system_error_text(ec);
    log.write_now(logs::ssl_failed_line(thread, check_name, text));
    ERR_clear_error();
    co_return std::unexpected(ConnectError{text});
  }
  co_return std::make_unique<OriginConnection>(key, std::move(tls));
}

}  // namespace mratls::proxy
