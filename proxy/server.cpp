#include "proxy/server.hpp"

#include <asio/error.hpp>
#include <asio/post.hpp>

#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "proxy/client_session.hpp"

namespace mratls::proxy {

Server::Server(std::shared_ptr<const Runtime> runtime) {
  int n = runtime->config.threads;
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) {
    threads_.push_back(std::make_unique<EventThread>(i));
    threads_.back()->pool.follow(runtime->generation);  // before the thread runs
  }
  // Each pool belongs to its thread: an older generation's idle connections close there. A
  // request that starts under the new generation first makes its pool follow it anyway.
  shared_.runtimes = std::make_unique<RuntimeManager>(std::move(runtime), [this](std::uint64_t generation) {
    for (auto& t : threads_) asio::post(t->io, [&pool = t->pool, generation] { pool.follow(generation); });
  });
}

Server::~Server() {
  stop();
  wait();
}

std::expected<void, std::string> Server::listen() {
  const auto& l = runtime()->config.listen;
  std::error_code ec;
  auto address = asio::ip::make_address(l.address, ec);
  if (ec) return std::unexpected("listen.address '" + l.address + "' is not an IP address");
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(threads_[0]->io);
  asio::ip::tcp::endpoint endpoint(address, l.port);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::unexpected("cannot listen on " + mra::host_port(l.address, l.port) + ": " + ec.message());
  port_ = acceptor->local_endpoint().port();
  acceptor_ = std::move(acceptor);
  accept_pause_ = std::make_unique<asio::steady_timer>(threads_[0]->io);
  return {};
}

void Server::accept_next() {
  auto& target = *threads_[next_thread_++ % threads_.size()];
  acceptor_->async_accept(target.io, [this, &target](std::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_ || !acceptor_->is_open()) return;
    if (ec) return accept_failed(ec);
    asio::post(target.io, [this, &target, s = std::move(socket)]() mutable {
      auto rt = shared_.runtimes->current();
      std::error_code ignored;
      if (shared_.connections.load() >= rt->config.limits.max_connections) {
        rt->log->write_now(logs::thread_line(target.index, "WARNING", "Connection limit reached; refusing a connection"));
        s.close(ignored);
        return;
      }
      s.set_option(asio::ip::tcp::no_delay(true), ignored);  // never throws on an event thread
      std::make_shared<ClientSession>(std::move(s), target, shared_)->start();
    });
    accept_next();
  });
}

void Server::accept_failed(const std::error_code& ec) {
  const auto pause = pause_after(errno_of(ec, asio::error::get_system_category()));
  if (pause.exhausted) {
    shared_.accept_failures.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t dropped = 0;
    if (accept_line_.due(std::chrono::steady_clock::now(), dropped))
      runtime()->log->write_now(logs::thread_line(
          0, "WARNING",
          "Cannot accept a connection: " + ec.message() + "; retrying every " + std::to_string(pause.wait.count()) + " ms" +
              (dropped ? " (" + std::to_string(dropped) + " more failures since the last such line)" : "")));
  }
  if (pause.wait.count() == 0) return accept_next();
  accept_pause_->expires_after(pause.wait);
  accept_pause_->async_wait([this](std::error_code e) {
    if (!e && acceptor_ && acceptor_->is_open()) accept_next();
  });
}

// A handler that throws must not take the process down with it: the line says what, and the
// thread goes on with its other connections.
void Server::run_thread(EventThread& t) {
  for (;;) {
    try {
      t.io.run();
      return;
    } catch (const std::exception& e) {
      runtime()->log->write_now(logs::thread_line(t.index, "ERROR", std::string("An event handler failed: ") + e.what()));
    }
  }
}

void Server::start() {
  if (started_) return;
  started_ = true;
  accept_next();
  for (auto& t : threads_) t->thread = std::thread([this, &thread = *t] { run_thread(thread); });
}

void Server::stop() {
  if (stopped_ || !started_) return;
  stopped_ = true;
  shared_.draining = true;
  asio::post(threads_[0]->io, [this] {
    std::error_code ignored;
    if (acceptor_) acceptor_->close(ignored);
    if (accept_pause_) accept_pause_->cancel();
  });
  for (auto& t : threads_) {
    asio::post(t->io, [&thread = *t] {
      // Sessions remove themselves from the set as they end: iterate over a copy.
      auto sessions = thread.sessions;
      for (auto* s : sessions) s->drain();
      thread.pool.clear();
    });
    t->work.reset();
  }
}

void Server::wait() {
  for (auto& t : threads_)
    if (t->thread.joinable()) t->thread.join();
}

MetricsSnapshot Server::metrics() const {
  MetricsSnapshot m;
  for (int status = 0; status < ThreadCounters::kStatuses; ++status) {
    std::uint64_t n = 0;
    for (const auto& t : threads_) n += t->counters.responses[static_cast<std::size_t>(status)].load(std::memory_order_relaxed);
    if (n > 0) m.responses.emplace_back(status, n);
  }
  for (const auto& t : threads_) {
    m.origin_handshakes_ok += t->counters.origin_handshakes_ok.load(std::memory_order_relaxed);
    m.origin_handshakes_failed += t->counters.origin_handshakes_failed.load(std::memory_order_relaxed);
    m.pool_reuses += t->counters.pool_reuses.load(std::memory_order_relaxed);
  }
  m.client_connections = shared_.connections.load(std::memory_order_relaxed);
  m.accept_failures = shared_.accept_failures.load(std::memory_order_relaxed);
  m.verification_failures = shared_.board.verification_failures();
  return m;
}

}  // namespace mratls::proxy
