#include "proxy/origin_exchange.hpp"

#include <asio/ssl/error.hpp>

#include <algorithm>

#include "logs/line_format.hpp"
#include "proxy/origin_connector.hpp"
#include "verify/x509_text.hpp"

namespace mratls::proxy {

const OriginKey& OriginScratch::key_for(const Runtime& rt, const mra::MraTarget& target, const asio::ip::address& address) {
  // A connection's requests almost always go to one origin: its key is built once.
  if (!last_key || last_address != address || last_key->generation != rt.generation || last_key->port != target.port ||
      last_key->host != target.host || last_key->protocol != target.protocol) {
    last_key = origin_key(rt, target, address);
    last_address = address;
  }
  return *last_key;
}

HttpParser& OriginScratch::response_parser(const HttpParser::Limits& limits) {
  if (!parser) parser.emplace(HttpParser::Kind::Response, limits);
  else parser->reset(limits);
  return *parser;
}

asio::awaitable<std::unique_ptr<OriginConnection>> OriginExchange::open_origin(const mra::MraTarget& target, const asio::ip::address& address,
                                                                               const logs::HttpMessage& sent, bool& reused) {
  Transaction& txn = txn_;
  const Runtime& rt = txn.rt();
  const OriginKey& key = scratch_.key_for(rt, target, address);
  const int attempts = 1 + rt.config.expressway.connect_attempts_max_retries;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    std::unique_ptr<OriginConnection> conn;
    if (reused && rt.config.origin.keep_alive)
      conn = thread_.pool.take(key, std::chrono::milliseconds(rt.config.timeouts.idle_ms));
    reused = conn != nullptr;
    txn.http_line(logs::HttpDetail::SendingRequest, key.ip, target.port, view_of(sent));
    if (conn) {
      ThreadCounters::bump(thread_.counters.pool_reuses);
      txn.clear_failure();
      txn.carried_by_warned(conn->warned);
      co_return conn;
    }
    auto opened = co_await connect_origin(rt, thread_.pool, target, address, thread_.index);
    if (target.protocol != "http" && (opened || !std::holds_alternative<verify::NetworkFailure>(opened.error().outcome)))
      ThreadCounters::bump(opened ? thread_.counters.origin_handshakes_ok : thread_.counters.origin_handshakes_failed);
    if (opened) {
      txn.clear_failure();
      txn.carried_by_warned((*opened)->warned);
      co_return std::move(*opened);
    }
    txn.fail(opened.error().outcome, std::move(opened.error().lines), std::move(opened.error().more));
  }
  co_return nullptr;
}

asio::awaitable<OriginExchange::Sent> OriginExchange::send_request(OriginConnection& conn, const std::string& request_head) {
  const Runtime& rt = txn_.rt();
  HttpParser& request = client_.request();
  ByteBuffer& received = client_.received();
  // The head, then the body exactly as the client framed it: only what the parser accepted.
  // An origin that stops reading would hold the session and its slot for good once the socket
  // buffers fill: each write has origin_response_ms to be taken.
  Sent sent;
  Deadline& deadline = scratch_.deadline;
  const auto write = [&](std::string_view bytes) -> asio::awaitable<void> {
    deadline.arm(txn_.bounded(std::chrono::milliseconds(rt.config.timeouts.origin_response_ms)), [&conn] { conn.cancel(); });
    co_await conn.write_all(asio::buffer(bytes), sent.origin_error);
    deadline.disarm();
    // Cancelled by the deadline, not failed on its own in the same turn.
    sent.origin_stalled = sent.origin_error == asio::error::operation_aborted && deadline.expired();
  };
  co_await write(request_head);
  while (!sent.origin_error) {
    std::size_t used = request.feed(received.view());
    if (request.failed()) {
      sent.client = Sent::Client::MalformedBody;
      break;
    }
    if (used > 0) co_await write(std::string_view(received.view().data(), used));
    received.consume(used);
    if (sent.origin_error || request.message_complete()) break;
    if (!co_await client_.read_more(txn_.bounded(std::chrono::milliseconds(rt.config.timeouts.client_header_ms)))) {
      sent.client = client_.timed_out() ? Sent::Client::TimedOut : Sent::Client::Gone;
      break;
    }
  }
  co_return sent;
}

asio::awaitable<bool> OriginExchange::refuse_body(const Sent& sent) {
  Transaction& txn = txn_;
  const Runtime& rt = txn.rt();
  const HttpParser& request = client_.request();
  const std::string client = mra::host_port(client_.ip(), static_cast<std::uint16_t>(client_.port()));
  if (sent.client == Sent::Client::MalformedBody) {
    txn.warn_client("Bad request from " + client + ": " + request.failure_text());
    co_await client_.respond(txn, unreadable_request(request.failure(), request.failure_text()), false);
  } else if (sent.client == Sent::Client::TimedOut) {
    txn.warn_client("Request body from " + client + " not complete within " +
                    std::to_string(txn.expired() ? rt.config.timeouts.transaction_ms : rt.config.timeouts.client_header_ms) + " ms");
    co_await client_.respond(txn, request_body_timeout(), false);
  }
  co_return false;
}

asio::awaitable<bool> OriginExchange::run(const mra::MraTarget& target, const std::string& origin_path) {
  Transaction& txn = txn_;
  const Runtime& rt = txn.rt();
  const HttpParser& request = client_.request();
  const bool request_has_body = request.has_body();
  const bool can_keep = request.keep_alive() && !request_has_body;
  txn.route_to(&target);

  auto address = co_await resolve_origin(rt, target);
  if (!address) {
    txn.warn(address.error());
    txn.fail(verify::NetworkFailure{mra::host_port(target.host, target.port), address.error()});
    co_return co_await client_.respond(txn, connect_failed(), can_keep);
  }
  const std::string host_port = mra::host_port(target.host, target.port);
  logs::HttpMessage& sent_message = scratch_.request_sent;
  sent_message.record_headers = rt.log->level() == config::LogLevel::Debug;
  std::string& request_head = scratch_.request_head;
  origin_request_head(request.head(), origin_path, host_port, rt.config.origin.keep_alive, sent_message, request_head);

  // An idle pooled connection the origin has closed in the meantime fails before answering;
  // a request without a body is then sent once more on a new connection.
  bool reused = true;
  // Traffic Server retries a connection that fails on its first read after the handshake (a
  // TLS 1.3 post-handshake alert) as it retries a failed connect, each attempt with its Sending
  // Request; a body already sent cannot be sent again.
  int alert_retries = rt.config.expressway.connect_attempts_max_retries;
  for (int round = 0; round < 2 + rt.config.expressway.connect_attempts_max_retries; ++round) {
    auto conn = co_await open_origin(target, *address, sent_message, reused);
    if (!conn) co_return co_await client_.respond(txn, connect_failed(), can_keep);
    auto sent = co_await send_request(*conn, request_head);
    if (sent.client != Sent::Client::Ok) {
      // The origin has a partial request: that connection can never carry another.
      conn->close();
      co_return co_await refuse_body(sent);
    }
    if (sent.origin_stalled) {
      // Neither retried nor a network failure: the origin is there and does not take the request.
      conn->close();
      txn.warn("Origin " + host_port + (txn.expired() ? " transaction not complete within " + std::to_string(rt.config.timeouts.transaction_ms)
                                                      : " took no request bytes within " + std::to_string(rt.config.timeouts.origin_response_ms)) +
               " ms");
      txn.fail(verify::OriginTimeout{host_port});
      LocalResponse answer = gateway_timeout();
      co_return co_await client_.respond(txn, answer, false);
    }
    Relay relay{};
    if (!sent.origin_error) relay = co_await relay_response(*conn);
    if (sent.origin_error || relay.origin_silent) {
      conn->close();
      if (reused && !request_has_body && round == 0) {
        reused = false;
        continue;
      }
      const auto& error = sent.origin_error ? sent.origin_error : relay.silent_error;
      if (error.category() == asio::error::get_ssl_category() && !request_has_body && alert_retries-- > 0) {
        reused = false;
        continue;
      }
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
      co_return co_await client_.respond(txn, connect_failed(), false);
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

asio::awaitable<OriginExchange::Relay> OriginExchange::relay_response(OriginConnection& conn) {
  Transaction& txn = txn_;
  const Runtime& rt = txn.rt();
  HttpParser::Limits limits;
  limits.max_header_bytes = rt.config.limits.max_header_bytes;
  HttpParser& response = scratch_.response_parser(limits);
  const bool head_request = client_.request().head().method == "HEAD";
  response.expect_no_body(head_request);
  const bool client_keep = client_.request().keep_alive() && !client_.draining();
  const auto origin = [&conn] { return "Origin " + mra::host_port(conn.key().host, conn.key().port) + " "; };
  const auto response_ms = std::chrono::milliseconds(rt.config.timeouts.origin_response_ms);
  // The whole head, however slowly it trickles in, within origin_response_ms of the request.
  const auto head_deadline = std::chrono::steady_clock::now() + response_ms;
  ByteBuffer& in = scratch_.response;
  in.clear();  // what a connection given up on left behind
  Deadline& origin_deadline = scratch_.deadline;
  std::error_code ec;
  std::size_t received = 0;
  int interim = 0;

  auto read_origin = [&](std::chrono::milliseconds timeout) -> asio::awaitable<void> {
    origin_deadline.arm(txn.bounded(timeout), [&conn] { conn.cancel(); });
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
    co_await client_.respond(txn, answer, false);
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
      if (timed_out && txn.expired()) why = "transaction not complete within " + std::to_string(rt.config.timeouts.transaction_ms) + " ms";
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
    logs::HttpMessage& sent = scratch_.response_sent;
    sent.record_headers = rt.log->level() == config::LogLevel::Debug;
    std::string& out_head = scratch_.response_head;
    client_response_head(rh, keep, sent, out_head);
    if (rh.status >= 200) {
      txn.final_status(rh.status);
      txn.http_line(logs::HttpDetail::SendingResponse, client_.ip(), client_.port(), view_of(sent), false);
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
        if (!head_unsent.empty()) co_await client_.write(txn, head_unsent, {});
        txn.warn(origin() + "malformed response body: " + response.failure_text());
        co_return Relay{};
      }
      if (used > 0 || !head_unsent.empty()) {
        const bool written = co_await client_.write(txn, head_unsent, std::string_view(in.view().data(), used));
        head_unsent = {};
        if (!written) co_return Relay{};
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
        txn.warn(origin() + (txn.expired()                ? "transaction not complete within " + std::to_string(rt.config.timeouts.transaction_ms) + " ms"
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
