#include "proxy/client_session.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <array>
#include <optional>

#include "config/ascii.hpp"
#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "proxy/route.hpp"

namespace mratls::proxy {
namespace {

using Clock = std::chrono::system_clock;

}  // namespace

ClientSession::ClientSession(asio::ip::tcp::socket socket, EventThread& thread, SharedState& shared)
    : socket_(std::move(socket)),
      thread_(thread),
      shared_(shared),
      deadline_(socket_.get_executor()) {
  std::error_code ec;
  auto remote = socket_.remote_endpoint(ec);
  if (!ec) {
    client_ip_ = remote.address().to_string();
    client_port_ = remote.port();
  }
  thread_.sessions.insert(this);
  ++shared_.connections;
}

ClientSession::~ClientSession() {
  thread_.sessions.erase(this);
  --shared_.connections;
}

void ClientSession::start() {
  // Until the first byte a connection holds its socket and a timer, nothing more: the buffer,
  // the parser and the coroutine's frames are taken when there is something to read. A client
  // that sends nothing within client_header_ms is closed, as before its first request.
  const auto rt = shared_.runtimes->current();
  deadline_.arm(std::chrono::milliseconds(rt->config.timeouts.client_header_ms), [this] {
    std::error_code ignored;
    socket_.cancel(ignored);
  });
  socket_.async_wait(asio::socket_base::wait_read, [self = shared_from_this()](std::error_code ec) {
    self->deadline_.disarm();
    if (ec || self->shared_.draining) {
      std::error_code ignored;
      self->socket_.close(ignored);
      return;
    }
    asio::co_spawn(self->socket_.get_executor(), [self] { return self->run(); }, asio::detached);
  });
}

void ClientSession::drain() {
  if (idle_) {
    std::error_code ignored;
    socket_.cancel(ignored);
  }
}

asio::awaitable<bool> ClientSession::read_more(std::chrono::milliseconds timeout) {
  std::error_code ec;
  co_await read_client(timeout, ec);
  co_return !ec;
}

asio::awaitable<std::size_t> ClientSession::read_client(std::chrono::milliseconds timeout, std::error_code& ec) {
  deadline_.arm(timeout, [this] {
    std::error_code ignored;
    socket_.cancel(ignored);
  });
  auto n = co_await socket_.async_read_some(buffer_.prepare(), asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
  buffer_.commit(n);
  co_return n;
}

asio::awaitable<bool> ClientSession::write(const Transaction& txn, std::string_view head, std::string_view body) {
  deadline_.arm(txn.bounded(write_timeout_), [this] {
    std::error_code ignored;
    socket_.cancel(ignored);
  });
  // One send for a response head and the body bytes already at hand.
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  std::error_code ec;
  co_await asio::async_write(socket_, buffers, asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
  co_return !ec;
}

asio::awaitable<void> ClientSession::run() {
  {
    auto rt = shared_.runtimes->current();
    HttpParser::Limits limits;
    limits.max_header_bytes = rt->config.limits.max_header_bytes;
    limits.max_target_bytes = std::min<std::size_t>(8192, limits.max_header_bytes);
    parser_ = std::make_unique<HttpParser>(HttpParser::Kind::Request, limits);
  }
  bool first = true;
  for (;;) {
    auto rt = shared_.runtimes->current();
    write_timeout_ = std::chrono::milliseconds(rt->config.timeouts.idle_ms);
    if (shared_.draining) break;
    idle_ = buffer_.empty();
    std::error_code ec;
    // The whole head must arrive within client_header_ms of its first byte, however slowly
    // it trickles in; before that byte the connection is idle.
    std::optional<std::chrono::steady_clock::time_point> head_deadline;
    while (!parser_->head_ready() && !parser_->failed()) {
      buffer_.consume(parser_->feed(buffer_.view()));
      if (parser_->head_ready() || parser_->failed()) break;
      const auto header_ms = std::chrono::milliseconds(rt->config.timeouts.client_header_ms);
      if (!head_deadline && (!idle_ || parser_->head_bytes() > 0)) head_deadline = std::chrono::steady_clock::now() + header_ms;
      auto timeout = first ? header_ms : std::chrono::milliseconds(rt->config.timeouts.idle_ms);
      if (head_deadline)
        timeout = std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                             *head_deadline - std::chrono::steady_clock::now()));
      co_await read_client(timeout, ec);
      if (ec) break;
      idle_ = false;
    }
    idle_ = false;
    if (parser_->failed()) {
      co_await report_parse_failure(rt);
      break;
    }
    if (ec) {
      // A client that stalls in the middle of a head gets 408; a closed or idle one just goes.
      if (deadline_.expired() && parser_->head_bytes() > 0) {
        Transaction txn(rt, shared_, thread_, std::string());
        warn(*rt, "Request head from " + client_ip_ + ":" + std::to_string(client_port_) + " not complete within " +
                      std::to_string(rt->config.timeouts.client_header_ms) + " ms");
        const LocalResponse timeout = request_timeout();
        co_await respond(txn, timeout, false);
      }
      break;
    }
    first = false;
    // The runtime in force when the request arrived: a reload while the connection sat idle applies.
    rt = shared_.runtimes->current();
    write_timeout_ = std::chrono::milliseconds(rt->config.timeouts.idle_ms);
    const auto* tracking = parser_->head().find("TrackingID");
    Transaction txn(rt, shared_, thread_, tracking ? std::optional(*tracking) : std::nullopt);
    txn.limit(std::chrono::milliseconds(rt->config.timeouts.transaction_ms));
    bool keep_going = co_await handle(txn);
    // A request answered locally has not been read to its end; without a body it ends here.
    if (keep_going && !parser_->message_complete()) parser_->feed({});
    if (!keep_going || !parser_->message_complete() || shared_.draining) break;
    parser_->next_message();
  }
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

asio::awaitable<void> ClientSession::report_parse_failure(std::shared_ptr<const Runtime> rt) {
  Transaction txn(rt, shared_, thread_, std::nullopt);
  const auto& head = parser_->head();
  if (!head.method.empty() && !head.target.empty())
    txn.http_line(logs::HttpDetail::ReceiveRequest, client_ip_, client_port_, logs::HttpMessageView{request_line(), &head.headers});
  warn(*rt, "Bad request from " + client_ip_ + ":" + std::to_string(client_port_) + ": " + parser_->failure_text());
  co_await respond(txn, unreadable_request(parser_->failure(), parser_->failure_text()), false);
}

asio::awaitable<bool> ClientSession::respond(Transaction& txn, const LocalResponse& r, bool keep_alive) {
  logs::HttpMessage logged;
  logged.record_headers = txn.rt().log->level() == config::LogLevel::Debug;
  // Before the client can read the answer, so that whoever keeps outcomes has this one by then.
  txn.final_status(r.status);
  auto bytes = local_response(r, keep_alive, logged);
  txn.http_line(logs::HttpDetail::SendingResponse, client_ip_, client_port_, view_of(logged), false);
  const bool written = co_await write(txn, bytes, {});
  co_return keep_alive && written;
}

asio::awaitable<bool> ClientSession::handle(Transaction& txn) {
  const Runtime& rt = txn.rt();
  const HttpHead& head = parser_->head();
  txn.http_line(logs::HttpDetail::ReceiveRequest, client_ip_, client_port_, logs::HttpMessageView{request_line(), &head.headers});

  auto decision = route_request(head, rt.config.listen.public_name, rt.allow_list, client_ip_);
  if (decision.access) {
    decision.access->time = Clock::now();
    rt.log->write(decision.access->time, logs::access_line(*decision.access));
  }
  if (const auto* refusal = decision.refusal()) {
    if (!refusal->warning.empty()) warn(rt, refusal->warning);
    if (decision.access && !decision.access->allowed) txn.fail(verify::Denied{});
    // A refused request whose body we have not read cannot keep the connection.
    co_return co_await respond(txn, refusal->response, parser_->keep_alive() && !parser_->has_body());
  }
  const Route& route = *decision.route();
  if (const auto* expect = head.find("Expect"); expect && ascii::iequals(*expect, "100-continue")) {
    if (!co_await write(txn, "HTTP/1.1 100 Continue\r\n\r\n", {})) co_return false;
  }
  if (!origin_) origin_ = std::make_unique<OriginScratch>(socket_.get_executor());
  OriginExchange exchange(txn, thread_, *this, *origin_);
  const bool keep_going = co_await exchange.run(route.origin, route.origin_path);
  txn.route_to(nullptr);  // the target is the route's, which ends here
  co_return keep_going;
}

const std::string& ClientSession::request_line() {
  const HttpHead& head = parser_->head();
  request_line_.clear();
  request_line_.append(head.method).append(" ").append(head.target).append(" HTTP/");
  request_line_.push_back(static_cast<char>('0' + head.version_major % 10));
  request_line_.push_back('.');
  request_line_.push_back(static_cast<char>('0' + head.version_minor % 10));
  return request_line_;
}

void ClientSession::warn(const Runtime& rt, const std::string& text) {
  rt.log->write_now(logs::thread_line(thread_.index, "WARNING", text));
}

}  // namespace mratls::proxy
