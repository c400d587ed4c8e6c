#include "scripted_origin.hpp"

#include "support.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <linux/sockios.h>
#include <openssl/err.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "lab/scenarios.hpp"
#include "strict_http.hpp"

namespace mratls::test {

using asio::ip::tcp;

std::string http_response(int status, const std::string& body, const std::string& extra_headers) {
  return "HTTP/1.1 " + std::to_string(status) + " \r\nContent-Type: text/plain\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

ScriptedReply reply_with(std::string bytes, ScriptedReply::Then then) {
  ScriptedReply r;
  r.bytes = std::move(bytes);
  r.then = then;
  return r;
}

namespace {

std::unique_ptr<asio::ssl::context> origin_context() {
  auto def = lab::scenario_origin("ok-fqdn");
  const auto& cert = def.spec.certificates.front();
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_security_level(native, 0);
  if (SSL_CTX_use_certificate(native, cert.leaf.cert.get()) != 1 || SSL_CTX_use_PrivateKey(native, cert.leaf.key.get()) != 1)
    throw std::runtime_error("scripted origin: cannot load the ok-fqdn certificate");
  for (const auto& extra : cert.chain) SSL_CTX_add1_chain_cert(native, extra.cert.get());
  return ctx;
}

}  // namespace

struct ScriptedOrigin::Impl {
  ScriptedOriginSpec spec;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::unique_ptr<asio::ssl::context> tls;
  std::thread thread;
  std::atomic<int> accepted{0};
  std::atomic<int> open{0};
  std::atomic<int> unsolicited{0};
  mutable std::mutex mutex;
  std::vector<ReceivedRequest> requests;
  std::vector<std::string> parse_errors;
  std::vector<std::string> client_randoms;
  std::set<std::shared_ptr<tcp::socket>> held;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(io);
      std::error_code ec;
      co_await acceptor.async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io, handle(socket, ++accepted), asio::detached);
    }
  }

  void record_client_random(const SSL* ssl) {
    unsigned char random[SSL3_RANDOM_SIZE];
    const auto n = SSL_get_client_random(ssl, random, sizeof random);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (std::size_t i = 0; i < n; ++i) {
      hex.push_back(kHex[random[i] >> 4]);
      hex.push_back(kHex[random[i] & 0xf]);
    }
    std::lock_guard lock(mutex);
    client_randoms.push_back(std::move(hex));
  }

  void hold(const std::shared_ptr<tcp::socket>& socket) {
    std::lock_guard lock(mutex);
    held.insert(socket);
  }

  void close(tcp::socket& socket, bool reset) {
    std::error_code ignored;
    if (reset) socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    --open;
  }

  // What the spec does with the n-th connection (1-based).
  OnAccept behaviour(int connection) const {
    return spec.faulty_connections < 0 || connection <= spec.faulty_connections ? spec.on_accept : OnAccept::Serve;
  }

  asio::awaitable<void> handle(std::shared_ptr<tcp::socket> socket, int connection) {
    ++open;
    std::error_code ec;
    socket->set_option(tcp::no_delay(true), ec);  // no Nagle wait behind the handshake's last flight
    const auto on_accept = behaviour(connection);
    if (on_accept == OnAccept::StallInHandshake) {
      hold(socket);
      co_return;
    }
    if (on_accept == OnAccept::ResetInHandshake) {
      char hello[512];
      co_await socket->async_read_some(asio::buffer(hello), asio::redirect_error(asio::use_awaitable, ec));
      close(*socket, true);
      co_return;
    }
    if (!spec.tls) {
      co_await serve(*socket, socket, connection);
      co_return;
    }
    asio::ssl::stream<tcp::socket&> stream(*socket, *tls);
    co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      ERR_clear_error();
      close(*socket, false);
      co_return;
    }
    record_client_random(stream.native_handle());
    co_await serve(stream, socket, connection);
  }

  // Until the peer's kernel has acknowledged every byte written: they are then in its receive
  // queue, where a readiness check on the other end sees them. No fixed sleep stands for the
  // delivery, however loaded the machine.
  asio::awaitable<void> acknowledged(tcp::socket& socket, asio::steady_timer& timer) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      // A peer that closed (as the proxy does with a connection it will not reuse) never
      // acknowledges: the bytes are then as delivered as they will be.
      tcp_info info{};
      socklen_t size = sizeof info;
      if (getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) != 0 || info.tcpi_state != TCP_ESTABLISHED)
        co_return;
      int pending = 0;
      if (ioctl(socket.native_handle(), SIOCOUTQ, &pending) != 0 || pending == 0) co_return;
      if (std::chrono::steady_clock::now() > until) co_return;
      timer.expires_after(std::chrono::milliseconds(1));
      std::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, std::shared_ptr<tcp::socket> socket, int connection) {
    StrictReader reader(StrictReader::Kind::Request);
    char buf[16384];
    int index = 0;
    asio::steady_timer timer(io);
    for (;;) {
      std::error_code ec;
      auto n = co_await stream.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        close(*socket, false);
        co_return;
      }
      const auto complete = reader.feed(std::string_view(buf, n));
      const std::string error = reader.error();
      for (const auto& message : complete) {
        ReceivedRequest request{message.method, message.target, message.headers, message.body, connection, index++};
        {
          std::lock_guard lock(mutex);
          requests.push_back(request);
        }
        if (behaviour(connection) == OnAccept::CloseAfterRequest) {
          close(*socket, false);
          co_return;
        }
        ScriptedReply reply = spec.script ? spec.script(request) : reply_with(http_response(200, "ok"));
        if (!reply.bytes.empty())
          co_await asio::async_write(stream, asio::buffer(reply.bytes), asio::redirect_error(asio::use_awaitable, ec));
        for (std::size_t i = 0; i < reply.trickled.size() && !ec; ++i) {
          timer.expires_after(reply.trickle);
          co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          co_await asio::async_write(stream, asio::buffer(&reply.trickled[i], 1), asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!reply.unsolicited.empty() && !ec) {
          timer.expires_after(reply.unsolicited_after);
          co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          co_await asio::async_write(stream, asio::buffer(reply.unsolicited), asio::redirect_error(asio::use_awaitable, ec));
          if (!ec) co_await acknowledged(*socket, timer);
          ++unsolicited;
        }
        if (ec || reply.then == ScriptedReply::Then::Close || reply.then == ScriptedReply::Then::Reset) {
          close(*socket, reply.then == ScriptedReply::Then::Reset);
          co_return;
        }
        if (reply.then == ScriptedReply::Then::Stall) {
          hold(socket);
          co_return;
        }
      }
      if (!error.empty()) {
        {
          std::lock_guard lock(mutex);
          parse_errors.push_back(error);
        }
        close(*socket, false);
        co_return;
      }
    }
  }
};

ScriptedOrigin::ScriptedOrigin(ScriptedOriginSpec spec) : impl_(std::make_unique<Impl>()) {
  impl_->spec = std::move(spec);
  if (impl_->spec.tls) {
    impl_->tls = origin_context();
    if (!impl_->spec.tls13) SSL_CTX_set_max_proto_version(impl_->tls->native_handle(), TLS1_2_VERSION);
  }
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

ScriptedOrigin::~ScriptedOrigin() {
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t ScriptedOrigin::port() const { return impl_->acceptor.local_endpoint().port(); }

std::vector<ReceivedRequest> ScriptedOrigin::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::vector<std::string> ScriptedOrigin::parse_errors() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->parse_errors;
}

int ScriptedOrigin::accepted() const { return impl_->accepted; }

std::vector<std::string> ScriptedOrigin::client_randoms() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->client_randoms;
}
int ScriptedOrigin::open_connections() const { return impl_->open; }

bool ScriptedOrigin::wait_unsolicited_sent(int n, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return impl_->unsolicited >= n; }, timeout);
}

bool ScriptedOrigin::wait_open_connections(int n, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return impl_->open == n; }, timeout);
}

}  // namespace mratls::test
