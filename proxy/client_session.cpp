#include "proxy/client_session.hpp"
#include "config/ascii.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "proxy/origin_connector.hpp"
#include "proxy/route.hpp"
#include "verify/cipher_preference.hpp"
#include "verify/x509_text.hpp"

namespace mratls::proxy {
namespace {

using namespace std::chrono_literals;
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

asio::awaitable<void> ClientSession::write_client(std::string_view data, std::error_code& ec) {
  co_await write_client(data, {}, ec);
}

asio::awaitable<void> ClientSession::write_client(std::string_view head, std::string_view body, std::error_code& ec) {
  deadline_.arm(bounded(write_timeout_), [this] {
    std::error_code ignored;
    socket_.cancel(ignored);
  });
  // One send for a response head and the body bytes already at hand.
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  co_await asio::async_write(socket_, buffers, asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
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
      co_await report_parse_failure(*rt);
      break;
    }
    if (ec) {
      // A client that stalls in the middle of a head gets 408; a closed or idle one just goes.
      if (deadline_.expired() && parser_->head_bytes() > 0) {
        Transaction txn(rt, shared_, thread_, "");
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
    Transaction txn(rt, shared_, thread_, tracking ? *tracking : "");
    txn_deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(rt->config.timeouts.transaction_ms);
    bool keep_going = co_await handle(txn);
    txn_deadline_.reset();
    // A request answered locally has not been read to its end; without a body it ends here.
    if (keep_going && !parser_->message_complete()) parser_->feed({});
    if (!keep_going || !parser_->message_complete() || shared_.draining) break;
    parser_->next_message();
  }
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

asio::awaitable<void> ClientSession::report_parse_failure(const Runtime& rt) {
  Transaction txn(shared_.runtimes->current(), shared_, thread_, "");
  const auto& head = parser_->head();
  if (!head.method.empty() && !head.target.empty())
    txn.http_line(logs::HttpDetail::ReceiveRequest, client_ip_, client_port_, logs::HttpMessageView{request_line(), &head.headers});
  warn(rt, "Bad request from " + client_ip_ + ":" + std::to_string(client_port_) + ": " + parser_->failure_text());
  co_await respond(txn, unreadable_request(parser_->failure(), parser_->failure_text()), false);
}

asio::awaitable<bool> ClientSession::respond(Transaction& txn, const LocalResponse& r, bool keep_alive) {
  logs::HttpMessage logged;
  logged.record_headers = txn.rt().log->level() == config::LogLevel::Debug;
  // Before the client can read the answer, so that whoever keeps outcomes has this one by then.
  txn.final_status(r.status);
  auto bytes = local_response(r, keep_alive, logged);
  txn.http_line(logs::HttpDetail::SendingResponse, client_ip_, client_port_, view_of(logged), false);
  std::error_code ec;
  co_await write_client(bytes, ec);
  co_return keep_alive && !ec;
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
    std::error_code ec;
    co_await write_client("HTTP/1.1 100 Continue\r\n\r\n", ec);
    if (ec) co_return false;
  }
  const bool keep_going = co_await forward(txn, route.origin, route.origin_path);
  txn.route_to(nullptr);  // the target is the route's, which ends here
  co_return keep_going;
}

const OriginKey& ClientSession::key_for(const Runtime& rt, const mra::MraTarget& target, const asio::ip::address& address) {
  // A connection's requests almost always go to one origin: its key is built once.
  if (!last_key_ || last_address_ != address || last_key_->generation != rt.generation || last_key_->port != target.port ||
      last_key_->host != target.host || last_key_->protocol != target.protocol) {
    last_key_ = origin_key(rt, target, address);
    last_address_ = address;
  }
  return *last_key_;
}

std::string ClientSession::request_line() const {
  const HttpHead& head = parser_->head();
  std::string line;
  line.reserve(head.method.size() + head.target.size() + 10);
  line.append(head.method).append(" ").append(head.target).append(" ").append(head.version());
  return line;
}

std::chrono::milliseconds ClientSession::bounded(std::chrono::milliseconds timeout) const {
  if (!txn_deadline_) return timeout;
  // Rounded up, so that the timer never fires before the deadline it stands for.
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*txn_deadline_ - std::chrono::steady_clock::now());
  return std::clamp(left, std::chrono::milliseconds(1), timeout);
}

bool ClientSession::txn_expired() const { return txn_deadline_ && std::chrono::steady_clock::now() >= *txn_deadline_; }

void ClientSession::warn(const Runtime& rt, const std::string& text) {
  rt.log->write_now(logs::thread_line(thread_.index, "WARNING", text));
}

asio::awaitable<std::unique_ptr<OriginConnection>> ClientSession::open_origin(Transaction& txn, const mra::MraTarget& target,
                                                                              const asio::ip::address& address,
                                                                              const logs::HttpMessage& sent, bool& reused) {
  const Runtime& rt = txn.rt();
  const OriginKey& key = key_for(rt, target, address);
  const int attempts = 1 + rt.config.expressway.connect_attempts_max_retries;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    std::unique_ptr<OriginConnection> conn;
    if (reused && rt.config.origin.keep_alive)
      conn = thread_.pool.take(key, std::chrono::milliseconds(rt.config.timeouts.idle_ms));
    reused = conn != nullptr;
    txn.http_line(logs::HttpDetail::SendingRequest, key.ip, target.port, view_of(sent));
    if (conn) {
      ThreadCounters::bump(thread_.counters.pool_reuses);
      co_return conn;
    }
    auto opened = co_await connect_origin(rt, thread_.pool, target, address, thread_.index);
    if (target.protocol != "http" && (opened || !std::holds_alternative<verify::NetworkFailure>(opened.error().outcome)))
      ThreadCounters::bump(opened ? thread_.counters.origin_handshakes_ok : thread_.counters.origin_handshakes_failed);
    if (opened) co_return std::move(*opened);
    txn.fail(opened.error().outcome, std::move(opened.error().lines));
  }
  co_return nullptr;
}

asio::awaitable<ClientSession::Sent> ClientSession::send_request(const Runtime& rt, OriginConnection& conn,
                                                                 const std::string& request_head) {
  // The head, then the body exactly as the client framed it: only what the parser accepted.
  Sent sent;
  co_await conn.write_all(asio::buffer(request_head), sent.origin_error);
  while (!sent.origin_error) {
    std::size_t used = parser_->feed(buffer_.view());
    if (parser_->failed()) {
      sent.client = Sent::Client::MalformedBody;
      break;
    }
    if (used > 0) co_await conn.write_all(asio::buffer(buffer_.view().data(), used), sent.origin_error);
    buffer_.consume(used);
    if (sent.origin_error || parser_->message_complete()) break;
    std::error_code client_ec;
    co_await read_client(bounded(std::chrono::milliseconds(rt.config.timeouts.client_header_ms)), client_ec);
    if (client_ec) {
      sent.client = deadline_.expired() ? Sent::Client::TimedOut : Sent::Client::Gone;
      break;
    }
  }
  co_return sent;
}

asio::awaitable<bool> ClientSession::refuse_body(Transaction& txn, const Sent& sent) {
  const Runtime& rt = txn.rt();
  const std::string client = client_ip_ + ":" + std::to_string(client_port_);
  if (sent.client == Sent::Client::MalformedBody) {
    warn(rt, "Bad request from " + client + ": " + parser_->failure_text());
    co_await respond(txn, unreadable_request(parser_->failure(), parser_->failure_text()), false);
  } else if (sent.client == Sent::Client::TimedOut) {
    warn(rt, "Request body from " + client + " not complete within " +
                 std::to_string(txn_expired() ? rt.config.timeouts.transaction_ms : rt.config.timeouts.client_header_ms) + " ms");
    co_await respond(txn, request_body_timeout(), false);
  }
  co_return false;
}

asio::awaitable<bool> ClientSession::forward(Transaction& txn, const mra::MraTarget& target, const std::string& origin_path) {
  const Runtime& rt = txn.rt();
  const bool request_has_body = parser_->has_body();
  const bool can_keep = parser_->keep_alive() && !request_has_body;
  txn.route_to(&target);

  auto address = co_await resolve_origin(rt, target);
  if (!address) {
    txn.warn(address.error());
    txn.fail(verify::NetworkFailure{mra::host_port(target.host, target.port), address.error()});
    co_return co_await respond(txn, connect_failed(), can_keep);
  }
  const std::string host_port = mra::host_port(target.host, target.port);
  logs::HttpMessage sent_message;
  sent_message.record_headers = rt.log->level() == config::LogLevel::Debug;
  const std::string request_head =
      origin_request_head(parser_->head(), origin_path, host_port, rt.config.origin.keep_alive, sent_message);

  // An idle pooled connection the origin has closed in the meantime fails before answering;
  // a request without a body is then sent once more on a new connection.
  bool reused = true;
  for (int round = 0; round < 2; ++round) {
    auto conn = co_await open_origin(txn, target, *address, sent_message, reused);
    if (!conn) co_return co_await respond(txn, connect_failed(), can_keep);
    auto sent = co_await send_request(rt, *conn, request_head);
    if (sent.client != Sent::Client::Ok) {
      // The origin has a partial request: that connection can never carry another.
      conn->close();
      co_return co_await refuse_body(txn, sent);
    }
    Relay relay{};
    if (!sent.origin_error) relay = co_await relay_response(txn, *conn);
    if (sent.origin_error || relay.origin_silent) {
      conn->close();
      if (reused && !request_has_body && round == 0) {
        reused = false;
        continue;
      }
      const auto& error = sent.origin_error ? sent.origin_error : relay.silent_error;
      if (error.category() == asio::error::get_ssl_category()) {
        // An alert after the handshake (under TLS 1.3 a refused client certificate is reported
        // only then): the appliance's SSL ERROR line, so that it reads like the TLS 1.2 case.
        const std::string check_name = checked_name(rt, target, address->to_string());
        const auto text = verify::ssl_error_text(static_cast<unsigned long>(error.value()), rt.log->openssl_text());
        txn.line(logs::ssl_failed_line(thread_.index, check_name, text));
        txn.fail(post_handshake_outcome(error, conn->ssl(), check_name, text));
      } else {
        const std::string why = sent.origin_error ? "write failed: " + sent.origin_error.message() : "connection closed before a response";
        txn.warn("Origin " + mra::host_port(target.host, target.port) + " " + why);
        txn.fail(verify::NetworkFailure{mra::host_port(target.host, target.port), why});
      }
      co_return co_await respond(txn, connect_failed(), false);
    }
    // Once per connection: after its first response, a TLS 1.3 session ticket has arrived too.
    if (relay.origin_reusable && rt.config.origin.tls_session_reuse && conn->ssl() && !conn->session_remembered) {
      thread_.pool.remember_session(conn->key(), SslSessionPtr(SSL_get1_session(conn->ssl())));
      conn->session_remembered = true;
    }
    if (relay.origin_reusable && rt.config.origin.keep_alive)
      thread_.pool.give_back(std::move(conn), static_cast<std::size_t>(rt.config.origin.max_idle_per_origin));
    else
      conn->close();
    co_return relay.keep_client;
  }
  co_return false;
}

asio::awaitable<ClientSession::Relay> ClientSession::relay_response(Transaction& txn, OriginConnection& conn) {
  const Runtime& rt = txn.rt();
  HttpParser::Limits limits;
  limits.max_header_bytes = rt.config.limits.max_header_bytes;
  HttpParser response(HttpParser::Kind::Response, limits);
  const bool head_request = parser_->head().method == "HEAD";
  response.expect_no_body(head_request);
  const bool client_keep = parser_->keep_alive() && !shared_.draining;
  const auto origin = [&conn] { return "Origin " + mra::host_port(conn.key().host, conn.key().port) + " "; };
  const auto response_ms = std::chrono::milliseconds(rt.config.timeouts.origin_response_ms);
  // The whole head, however slowly it trickles in, within origin_response_ms of the request.
  const auto head_deadline = std::chrono::steady_clock::now() + response_ms;
  ByteBuffer& in = origin_in_;
  in.clear();  // what a connection given up on left behind
  if (!origin_deadline_) origin_deadline_.emplace(socket_.get_executor());
  Deadline& origin_deadline = *origin_deadline_;
  std::error_code ec;
  std::size_t received = 0;
  int interim = 0;

  auto read_origin = [&](std::chrono::milliseconds timeout) -> asio::awaitable<void> {
    origin_deadline.arm(bounded(timeout), [&conn] { conn.cancel(); });
    auto n = co_await conn.read_some(in.prepare(), ec);
    origin_deadline.disarm();
    in.commit(n);
    received += n;
  };
  // Before any final response head has gone to the client, a fault is answered with a status.
  auto fail_before_response = [&](const std::string& why, bool timeout) -> asio::awaitable<Relay> {
    txn.warn(origin() + why);
    if (timeout) txn.fail(verify::OriginTimeout{mra::host_port(conn.key().host, conn.key().port)});
    // A named local, not a conditional temporary: g++ 12 destroys such temporaries twice
    // when they cross a co_await.
    LocalResponse answer = connect_failed();
    if (timeout) answer = gateway_timeout();
    co_await respond(txn, answer, false);
    co_return Relay{};
  };

  for (;;) {  // 1xx interim responses come before the final one
    while (!response.head_ready() && !response.failed()) {
      in.consume(response.feed(in.view()));
      if (response.head_ready() || response.failed()) break;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(head_deadline - std::chrono::steady_clock::now());
      co_await read_origin(std::max(left, std::chrono::milliseconds(1)));
      if (ec) break;
    }
    if (!response.head_ready()) {
      if (received == 0 && !origin_deadline.expired()) co_return Relay{false, false, true, ec};
      // Named locals, not conditional temporaries, across co_await (the g++ 12 bug above).
      const bool timed_out = origin_deadline.expired();
      std::string why;
      if (timed_out && txn_expired()) why = "transaction not complete within " + std::to_string(rt.config.timeouts.transaction_ms) + " ms";
      else if (timed_out) why = std::string(logs::words::kNoResponseWithin) + std::to_string(response_ms.count()) + " ms";
      else if (response.failed()) why = "malformed response: " + response.failure_text();
      else why = "connection closed in the middle of a response: " + ec.message();
      co_return co_await fail_before_response(why, timed_out);
    }
    const HttpHead& rh = response.head();
    const std::string status_line = rh.version() + " " + std::to_string(rh.status) + " " + rh.reason;
    txn.http_line(logs::HttpDetail::ReceiveResponse, conn.key().ip, conn.key().port, logs::HttpMessageView{status_line, &rh.headers},
                  false);
    // Upgrade is never forwarded, so a 101 answers a question nobody asked.
    if (rh.status == 101) {
      const std::string why = "sent 101 Switching Protocols to a request that asked for no upgrade";
      co_return co_await fail_before_response(why, false);
    }
    if (rh.status < 200 && ++interim > kMaxInterimResponses) {
      const std::string why = "malformed response: more than " + std::to_string(kMaxInterimResponses) + " interim (1xx) responses";
      co_return co_await fail_before_response(why, false);
    }
    const bool close_delimited = response.needs_eof();
    const bool keep = client_keep && !close_delimited;
    logs::HttpMessage sent;
    sent.record_headers = rt.log->level() == config::LogLevel::Debug;
    std::string out_head = client_response_head(rh, keep, sent);
    if (rh.status >= 200) {
      txn.final_status(rh.status);
      txn.http_line(logs::HttpDetail::SendingResponse, client_ip_, client_port_, view_of(sent), false);
    }
    // A response that has no body but names one (HEAD, 204, 304): a broken origin may send it
    // anyway, and those bytes would answer the next request on the connection.
    const bool bodiless_with_length =
        (head_request || rh.status == 204 || rh.status == 304) &&
        ((rh.find("Content-Length") && *rh.find("Content-Length") != "0") || rh.find("Transfer-Encoding"));

    // The head goes out with the first body bytes, or alone when none are at hand.
    std::string_view head_unsent = out_head;
    for (;;) {
      std::size_t used = response.feed(in.view());
      if (response.failed()) {
        if (!head_unsent.empty()) co_await write_client(head_unsent, ec);
        txn.warn(origin() + "malformed response body: " + response.failure_text());
        co_return Relay{};
      }
      if (used > 0 || !head_unsent.empty()) {
        co_await write_client(head_unsent, std::string_view(in.view().data(), used), ec);
        head_unsent = {};
        if (ec) co_return Relay{};
      }
      in.consume(used);
      if (response.message_complete()) break;
      co_await read_origin(response_ms);
      if (ec) {
        if ((ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) && close_delimited) {
          response.finish();
          break;
        }
        // The client has part of a response: all that is left is to close, and say why.
        txn.warn(origin() + (txn_expired()                ? "transaction not complete within " + std::to_string(rt.config.timeouts.transaction_ms) + " ms"
                           : origin_deadline.expired() ? "no data within " + std::to_string(response_ms.count()) + " ms in the middle of a response body"
                                                       : "connection closed in the middle of a response body: " + ec.message()));
        co_return Relay{};
      }
    }
    if (rh.status >= 200)
      co_return Relay{keep, response.keep_alive() && in.empty() && !close_delimited && !bodiless_with_length, false, {}};
    response.next_message();
    response.expect_no_body(head_request);
  }
}

}  // namespace mratls::proxy
