#include "lab/mock_origin.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <openssl/err.h>

#include <cstdint>
#include <set>
#include <thread>

#include "proxy/http_parser.hpp"

namespace mratls::lab {

using asio::ip::tcp;

struct MockOrigin::Impl {
  MockOriginSpec spec;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::unique_ptr<asio::ssl::context> tls;
  std::thread thread;
  std::atomic<int> served{0};
  std::atomic<int> handshakes{0};
  mutable std::mutex mutex;
  std::string last_cn;
  std::set<std::shared_ptr<tcp::socket>> held;  // stalled connections, closed on stop

  asio::awaitable<void> accept_loop();
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream);
  asio::awaitable<void> handle(std::shared_ptr<tcp::socket> socket);
};

namespace {

std::string cn_of(X509* cert) {
  if (!cert) return "";
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return buf;
}

// Refuses every client certificate with the X509 error carried in `arg`; OpenSSL's server maps
// it to its alert (X509_V_ERR_CERT_REJECTED: bad certificate).
int refuse_client_certificate(X509_STORE_CTX* ctx, void* arg) {
  X509_STORE_CTX_set_error(ctx, static_cast<int>(reinterpret_cast<std::intptr_t>(arg)));
  return 0;
}

std::expected<std::unique_ptr<asio::ssl::context>, std::string> server_context(const MockOriginSpec& spec) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_security_level(native, 0);
  SSL_CTX_set_max_proto_version(native, spec.tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  // The client's order decides, so that the proxy's cipher string steers which certificate
  // a dual-certificate node presents (under TLS 1.2).
  SSL_CTX_clear_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_id_context(native, reinterpret_cast<const unsigned char*>("mratls"), 6);
  for (const auto& c : spec.certificates) {
    if (SSL_CTX_use_certificate(native, c.leaf.cert.get()) != 1 || SSL_CTX_use_PrivateKey(native, c.leaf.key.get()) != 1)
      return std::unexpected(spec.name + ": cannot load certificate: " + ossl::take_error_text());
    for (const auto& extra : c.chain)
      if (SSL_CTX_add1_chain_cert(native, extra.cert.get()) != 1)
        return std::unexpected(spec.name + ": cannot add chain certificate: " + ossl::take_error_text());
  }
  if (!spec.client_certificate_cas.empty() || spec.client_certificate_required) {
    X509_STORE* trust = SSL_CTX_get_cert_store(native);
    for (const auto& ca : spec.client_certificate_cas)
      if (X509_STORE_add_cert(trust, ca.cert.get()) != 1 || SSL_CTX_add_client_CA(native, ca.cert.get()) != 1)
        return std::unexpected(spec.name + ": cannot add client CA: " + ossl::take_error_text());
    // OpenSSL's server turns an unverifiable client certificate into the `unknown ca` alert, and
    // a missing one (when required) into `handshake failure` (TLS 1.2) or `certificate required`.
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | (spec.client_certificate_required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                       nullptr);
    if (spec.client_certificate_refusal != 0)
      SSL_CTX_set_cert_verify_callback(native, refuse_client_certificate,
                                       reinterpret_cast<void*>(static_cast<std::intptr_t>(spec.client_certificate_refusal)));
  }
  return ctx;
}

std::string tomcat_head(const OriginReply& r, std::size_t length) {
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + r.reason + "\r\n";
  head += "Content-Type: " + r.content_type + "\r\n";
  head += r.chunked ? std::string("Transfer-Encoding: chunked\r\n") : "Content-Length: " + std::to_string(length) + "\r\n";
  return head + "\r\n";
}

}  // namespace

OriginReply default_reply(const std::string& origin_name, const OriginRequest& request) {
  OriginReply reply;
  if (request.method == "POST" || request.method == "PUT") {
    reply.body = request.body;
    reply.content_type = "application/octet-stream";
    return reply;
  }
  reply.chunked = request.target.find("chunked") != std::string::npos;
  reply.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response origin=\"" + origin_name + "\" path=\"" +
               request.target + "\"/>\n";
  return reply;
}

template <class Stream>
asio::awaitable<void> MockOrigin::Impl::serve(Stream& stream) {
  // Requests are read with the proxy's own parser: what it cannot read one way only (or what
  // is not HTTP at all, a TLS ClientHello on a plain port, say) is answered as Tomcat does, 400,
  // and the connection closed.
  // Wider limits than the proxy's: whatever it forwards, with the headers it adds, is read.
  proxy::HttpParser parser(proxy::HttpParser::Kind::Request, {1 << 20, 1 << 16, 2000});
  parser.keep_payload(true);
  std::string buffer;
  char chunk[8192];
  for (int answered = 0;; ++answered) {
    std::error_code ec;
    for (;;) {
      const bool had_head = parser.head_ready();
      const auto used = parser.feed(buffer);
      buffer.erase(0, used);
      if (parser.message_complete() || parser.failed()) break;
      if (!had_head && parser.head_ready()) continue;  // one more pass: a body that needs no bytes completes
      if (used > 0 && !buffer.empty()) continue;
      auto n = co_await stream.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      buffer.append(chunk, n);
    }
    if (parser.failed()) {
      std::string bad = "HTTP/1.1 400 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      co_await asio::async_write(stream, asio::buffer(bad), asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    OriginRequest req{parser.head().method, parser.head().target, parser.head().headers, parser.payload()};
    const bool close = !parser.keep_alive();
    parser.next_message();

    if (spec.answers_per_connection > 0 && answered >= spec.answers_per_connection) co_return;
    OriginReply reply = spec.handler ? spec.handler(req) : default_reply(spec.name, req);
    ++served;
    std::string out = tomcat_head(reply, reply.body.size());
    if (req.method != "HEAD") {
      if (reply.chunked) {
        // Two chunks, so that a proxy that assumes one chunk per read is caught out.
        auto half = reply.body.size() / 2;
        auto piece = [](std::string_view s) {
          char size[32];
          std::snprintf(size, sizeof size, "%zx\r\n", s.size());
          return std::string(size) + std::string(s) + "\r\n";
        };
        out += piece(std::string_view(reply.body).substr(0, half)) + piece(std::string_view(reply.body).substr(half)) + "0\r\n\r\n";
      } else {
        out += reply.body;
      }
    }
    co_await asio::async_write(stream, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
    if (ec || close) co_return;
  }
}

asio::awaitable<void> MockOrigin::Impl::handle(std::shared_ptr<tcp::socket> socket) {
  std::error_code ec;
  switch (spec.behaviour) {
    case OriginBehaviour::Stall: {
      std::lock_guard lock(mutex);
      held.insert(socket);
      co_return;
    }
    case OriginBehaviour::ResetHandshake: {
      char hello[512];
      co_await socket->async_read_some(asio::buffer(hello), asio::redirect_error(asio::use_awaitable, ec));
      socket->set_option(asio::socket_base::linger(true, 0), ec);
      socket->close(ec);
      co_return;
    }
    case OriginBehaviour::PlainHttp:
      co_await serve(*socket);
      co_return;
    case OriginBehaviour::Serve:
    case OriginBehaviour::Mute:
      break;
  }
  if (!spec.tls) {
    co_await serve(*socket);
    co_return;
  }
  asio::ssl::stream<tcp::socket&> stream(*socket, *tls);
  co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  {
    std::lock_guard lock(mutex);
    last_cn = cn_of(SSL_get_certificate(stream.native_handle()));
  }
  ++handshakes;
  if (ec) {
    ERR_clear_error();
    co_return;
  }
  if (spec.behaviour == OriginBehaviour::Mute) {
    std::lock_guard lock(mutex);
    held.insert(socket);
    co_return;
  }
  co_await serve(stream);
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> MockOrigin::Impl::accept_loop() {
  for (;;) {
    std::error_code ec;
    auto socket = std::make_shared<tcp::socket>(io);
    co_await acceptor.async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    asio::co_spawn(io, handle(socket), asio::detached);
  }
}

MockOrigin::MockOrigin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MockOrigin::~MockOrigin() { stop(); }

std::expected<std::unique_ptr<MockOrigin>, std::string> MockOrigin::start(MockOriginSpec spec) {
  auto impl = std::make_unique<Impl>();
  if (spec.tls && (spec.behaviour == OriginBehaviour::Serve || spec.behaviour == OriginBehaviour::Mute)) {
    auto ctx = server_context(spec);
    if (!ctx) return std::unexpected(ctx.error());
    impl->tls = std::move(*ctx);
  }
  std::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(spec.address, ec), spec.port);
  if (ec) return std::unexpected(spec.name + ": bad address " + spec.address);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::unexpected(spec.name + ": cannot listen on " + spec.address + ":" + std::to_string(spec.port) + ": " + ec.message());
  impl->spec = std::move(spec);
  auto* raw = impl.get();
  asio::co_spawn(raw->io, raw->accept_loop(), asio::detached);
  raw->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<MockOrigin>(new MockOrigin(std::move(impl)));
}

void MockOrigin::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t MockOrigin::port() const { return impl_->acceptor.local_endpoint().port(); }
const std::string& MockOrigin::address() const { return impl_->spec.address; }
int MockOrigin::requests_served() const { return impl_->served; }
int MockOrigin::handshakes() const { return impl_->handshakes; }
std::string MockOrigin::last_presented_cn() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_cn;
}

}  // namespace mratls::lab
