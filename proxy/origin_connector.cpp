#include "proxy/origin_connector.hpp"

#include "verify/finding_outcomes.hpp"

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <openssl/err.h>
#include <openssl/sslerr.h>

#include "config/ascii.hpp"
#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "proxy/deadline.hpp"
#include "verify/client_certificate_alert.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/doctor/chain_gap.hpp"
#include "verify/x509_text.hpp"

namespace mratls::proxy {
namespace {

using asio::ip::tcp;

// Notes the origin's CertificateRequest, which turns a later handshake failure into a refused
// client certificate.
void note_certificate_request(int write_p, int, int content_type, const void* buf, std::size_t len, SSL*, void* arg) {
  if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
      static_cast<const unsigned char*>(buf)[0] == SSL3_MT_CERTIFICATE_REQUEST)
    *static_cast<bool*>(arg) = true;
}

std::string system_error_text(const std::error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "unexpected eof while reading";
  return ec.message();
}

}  // namespace

OriginKey origin_key(const Runtime& rt, const mra::MraTarget& target, const asio::ip::address& address) {
  return OriginKey{target.protocol, target.host, target.port, address.to_string(), rt.generation};
}

std::string checked_name(const Runtime& rt, const mra::MraTarget& target, const std::string& remote_ip) {
  if (!target.host_is_ip || rt.config.hosts.contains(ascii::to_lower(target.host))) return target.host;
  return remote_ip;
}

asio::awaitable<std::expected<asio::ip::address, std::string>> resolve_origin(const Runtime& rt, const mra::MraTarget& target) {
  std::error_code ec;
  // One canonical form for lookups, as the allow list compares; the lines keep the name as written.
  if (auto it = rt.config.hosts.find(ascii::to_lower(target.host)); it != rt.config.hosts.end()) {
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

asio::awaitable<std::expected<tcp::socket, std::string>> connect_tcp(const Runtime& rt, const mra::MraTarget& target,
                                                                     const asio::ip::address& address) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  Deadline deadline(ex);
  std::error_code ec;
  deadline.arm(std::chrono::milliseconds(rt.config.timeouts.connect_ms), [&socket] {
    std::error_code ignored;
    socket.close(ignored);
  });
  co_await socket.async_connect(tcp::endpoint(address, target.port), asio::redirect_error(asio::use_awaitable, ec));
  deadline.disarm();
  if (deadline.expired()) co_return std::unexpected("connect timed out");
  if (ec) co_return std::unexpected(ec.message());
  socket.set_option(tcp::no_delay(true), ec);
  co_return std::move(socket);
}

asio::awaitable<TlsHandshake> handshake_tls(const Runtime& rt, tcp::socket socket, const mra::MraTarget& target,
                                            verify::OriginVerification* verification, SSL_SESSION* resume) {
  TlsHandshake h;
  h.tls = std::make_unique<OriginConnection::TlsStream>(std::move(socket), *rt.origin_tls);
  SSL* ssl = h.tls->native_handle();
  // RFC 6066: no SNI for an IP literal; the name checked and logged is then the remote IP.
  if (!target.host_is_ip) SSL_set_tlsext_host_name(ssl, target.host.c_str());
  if (resume) SSL_set_session(ssl, resume);
  if (verification) verification->attach(ssl);
  SSL_set_msg_callback(ssl, note_certificate_request);
  SSL_set_msg_callback_arg(ssl, &h.certificate_requested);

  Deadline deadline(h.tls->get_executor());
  deadline.arm(std::chrono::milliseconds(rt.config.timeouts.handshake_ms), [tls = h.tls.get()] {
    std::error_code ignored;
    tls->next_layer().close(ignored);
  });
  co_await h.tls->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, h.ec));
  deadline.disarm();
  h.timed_out = deadline.expired();
  SSL_set_msg_callback(ssl, nullptr);
  SSL_set_msg_callback_arg(ssl, nullptr);
  // Log-only mode may leave the name check for after the handshake; it still comes after the
  // chain findings, as the appliance orders them.
  h.refused_after = !h.ec && verification && !verification->after_handshake(ssl);
  if (h.failed()) {
    const auto style = rt.log ? rt.log->openssl_text() : config::OpenSslText::Expressway;
    if (h.timed_out) h.failure_text = "handshake timed out";
    else if (h.refused_after || (verification && !verification->findings().empty()))
      h.failure_text = verify::certificate_verify_failed_text(style);
    else if (h.ec.category() == asio::error::get_ssl_category())
      h.failure_text = verify::ssl_error_text(static_cast<unsigned long>(h.ec.value()), style);
    else h.failure_text = system_error_text(h.ec);
    ERR_clear_error();
  }
  co_return h;
}

std::vector<X509*> peer_chain(SSL* ssl) {
  std::vector<X509*> out;
  if (STACK_OF(X509)* chain = ssl ? SSL_get_peer_cert_chain(ssl) : nullptr)
    for (int i = 0; i < sk_X509_num(chain); ++i) out.push_back(sk_X509_value(chain, i));
  return out;
}

std::vector<verify::Outcome> handshake_outcomes(const TlsHandshake& h, const verify::OriginVerification* verification,
                                                const std::string& check_name, bool host_is_ip, config::OpenSslText style,
                                                const Runtime* rt) {
  SSL* ssl = h.tls ? h.tls->native_handle() : nullptr;
  if (verification && !verification->findings().empty()) {
    const verify::PresentedChain presented{peer_chain(ssl), ssl && SSL_version(ssl) >= TLS1_3_VERSION};
    // Enforcement stops at the first finding, as the appliance does; an audit of the same chain
    // in log-only mode says what the node fails after it.
    auto findings = verification->findings();
    if (rt && rt->trust && verification->enforcement() == verify::Enforcement::Enforce)
      for (const auto& f : verify::every_finding(verification->identity(), presented, *rt->trust,
                                                 rt->config.expressway.openssl_security_level))
        if (std::ranges::find(findings, f) == findings.end()) findings.push_back(f);
    return verify::outcomes_of(findings, check_name, host_is_ip, presented, style, [&](verify::ChainRefused& refused) {
      if (rt && ssl) verify::doctor::attach_chain_gap(refused, presented.certificates, rt->trust_entries);
    });
  }
  if (h.timed_out) return {verify::HandshakeFailed{check_name, h.failure_text}};
  return {tls_error_outcome(h.ec, check_name, h.failure_text, h.certificate_requested, ssl && SSL_get_certificate(ssl) != nullptr)};
}

verify::Outcome tls_error_outcome(const std::error_code& ec, const std::string& check_name, const std::string& text,
                                  bool certificate_requested, bool presented) {
  if (ec.category() == asio::error::get_ssl_category())
    if (auto alert = verify::client_certificate_alert(ERR_GET_REASON(static_cast<unsigned long>(ec.value())), certificate_requested))
      return verify::ClientCertificateRefused{check_name, std::string(alert->words), presented && !alert->none_presented};
  return verify::HandshakeFailed{check_name, text};
}

verify::Outcome post_handshake_outcome(const std::error_code& ec, SSL* ssl, const std::string& check_name, const std::string& text) {
  const bool tls13 = ssl && SSL_version(ssl) >= TLS1_3_VERSION;
  return tls_error_outcome(ec, check_name, text, tls13, ssl && SSL_get_certificate(ssl) != nullptr);
}

asio::awaitable<std::expected<std::unique_ptr<OriginConnection>, ConnectError>> connect_origin(
    const Runtime& rt, OriginPool& pool, const mra::MraTarget& target, const asio::ip::address& address, int thread) {
  auto& log = *rt.log;
  const std::string ip = address.to_string();
  auto key = origin_key(rt, target, address);

  auto socket = co_await connect_tcp(rt, target, address);
  if (!socket) {
    auto line = logs::thread_line(thread, "WARNING",
                                  std::string(logs::words::kConnectToOriginFailed) + target.host + "': " + socket.error() + " server=" +
                                      target.host + "(" + ip + ") port=" + std::to_string(target.port));
    log.write_now(line);
    co_return std::unexpected(ConnectError{socket.error(), verify::NetworkFailure{mra::host_port(target.host, target.port), socket.error()},
                                           {}, {std::move(line)}});
  }
  if (target.protocol == "http") co_return std::make_unique<OriginConnection>(key, std::move(*socket));

  const std::string check_name = checked_name(rt, target, ip);
  verify::OriginVerification verification({check_name, target.host, ip}, rt.enforcement());
  SSL_SESSION* resume = rt.config.origin.tls_session_reuse ? pool.session(key) : nullptr;
  auto h = co_await handshake_tls(rt, std::move(*socket), target, rt.verifies() ? &verification : nullptr, resume);
  std::vector<std::string> lines;
  for (const auto& f : verification.findings()) {
    lines.push_back(logs::verification_line(thread, f, verification.identity(), verification.enforcement(), log.openssl_text()));
    log.write_now(lines.back());
  }
  if (h.failed()) {
    lines.push_back(logs::ssl_failed_line(thread, check_name, h.failure_text));
    log.write_now(lines.back());
    auto outcomes = handshake_outcomes(h, &verification, check_name, target.host_is_ip, log.openssl_text(), &rt);
    auto first = std::move(outcomes.front());
    outcomes.erase(outcomes.begin());
    co_return std::unexpected(ConnectError{h.failure_text, std::move(first), std::move(outcomes), std::move(lines)});
  }
  auto conn = std::make_unique<OriginConnection>(key, std::move(h.tls));
  // Log-only let it through: what On would have refused, kept with the connection.
  if (!verification.findings().empty() && verification.enforcement() == verify::Enforcement::LogOnly) {
    SSL* ssl = conn->ssl();
    const verify::PresentedChain presented{peer_chain(ssl), ssl && SSL_version(ssl) >= TLS1_3_VERSION};
    conn->warned = std::make_shared<const std::vector<verify::Outcome>>(verify::outcomes_of(
        verification.findings(), check_name, target.host_is_ip, presented, log.openssl_text(),
        [&](verify::ChainRefused& refused) { verify::doctor::attach_chain_gap(refused, presented.certificates, rt.trust_entries); }));
  }
  co_return conn;
}

}  // namespace mratls::proxy
