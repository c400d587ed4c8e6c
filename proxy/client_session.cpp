#include "proxy/client_session.hpp"
#include "config/ascii.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <random>

#include "logs/line_format.hpp"
#include "proxy/origin_connector.hpp"
#include "verify/x509_text.hpp"

namespace mratls::proxy {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

std::string new_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x4000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

// A path that could reach elsewhere on the origin than the allow-list rule it matches.
std::optional<std::string> unsafe_path(std::string_view path) {
  auto p = path.substr(0, path.find('?'));
  if (p.find('\\') != std::string_view::npos) return "backslash in path";
  if (ascii::icontains(p, "%2e") || ascii::icontains(p, "%2f") || ascii::icontains(p, "%5c"))
    return "encoded dot or slash in path";
  std::size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find('/', start);
    auto seg = p.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (seg == "." || seg == "..") return "dot-segment in path";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return std::nullopt;
}

bool supported_method(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
}

LocalResponse response_for(ParseFailure f, const std::string& text) {
  switch (f) {
    case ParseFailure::UriTooLong: return uri_too_long();
    case ParseFailure::HeaderTooLarge: return header_too_large();
    case ParseFailure::BadTransferCoding: return not_implemented("Unsupported transfer coding: " + text + ".");
    default: return bad_request("Malformed request: " + text + ".");
  }
}

}  // namespace

ClientSession::ClientSession(asio::ip::tcp::socket socket, EventThread& thread, SharedState& shared)
    : socket_(std::move(socket)), thread_(thread), shared_(shared), deadline_(socket_.get_executor()) {
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
  asio::co_spawn(socket_.get_executor(), [self = shared_from_this()] { return self->run(); }, asio::detached);
}

void ClientSession::drain() {
  if (idle_) {
    std::error_code ignored;
    socket_.cancel(ignored);
  }
}

void ClientSession::log(const Runtime& rt, logs::HttpDetail detail, const Txn& txn, const std::string& ip, int port,
                        const logs::HttpMessage& msg, bool with_tracking) {
  logs::HttpLine line{detail, Clock::now(), txn.id, with_tracking ? txn.tracking_id : "", ip, port, msg};
  rt.log->write(line.time, logs::http_line(line, rt.log->level()));
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
  auto rt = shared_.runtime.load();
  deadline_.arm(std::chrono::milliseconds(rt->config.timeouts.idle_ms), [this] {
    std::error_code ignored;
    socket_.cancel(ignored);
  });
  co_await asio::async_write(socket_, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
}

asio::awaitable<void> ClientSession::run() {
  {
    auto rt = shared_.runtime.load();
    HttpParser::Limits limits;
    limits.max_header_bytes = rt->config.limits.max_header_bytes;
    limits.max_target_bytes = std::min<std::size_t>(8192, limits.max_header_bytes);
    parser_ = std::make_unique<HttpParser>(HttpParser::Kind::Request, limits);
  }
  bool first = true;
  for (;;) {
    auto rt = shared_.runtime.load();
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
        Txn txn{rt, std::to_string(shared_.next_txn++), ""};
        rt->log->write_now(logs::thread_line(thread_.index, "WARNING",
                                             "Request head from " + client_ip_ + ":" + std::to_string(client_port_) +
                                                 " not complete within " + std::to_string(rt->config.timeouts.client_header_ms) + " ms"));
        const LocalResponse timeout = request_timeout();
        co_await respond(txn, timeout, false);
      }
      break;
    }
    first = false;
    // The runtime in force when the request arrived: a reload while the connection sat idle applies.
    rt = shared_.runtime.load();
    Txn txn{rt, std::to_string(shared_.next_txn++), ""};
    const auto* tracking = parser_->head().find("TrackingID");
    txn.tracking_id = tracking ? *tracking : new_uuid();
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

asio::awaitable<void> ClientSession::report_parse_failure(const Runtime& rt) {
  Txn txn{shared_.runtime.load(), std::to_string(shared_.next_txn++), new_uuid()};
  const auto& head = parser_->head();
  if (!head.method.empty() && !head.target.empty())
    log(rt, logs::HttpDetail::ReceiveRequest, txn, client_ip_, client_port_,
        {head.method + " " + head.target + " " + head.version(), head.headers});
  rt.log->write_now(logs::thread_line(thread_.index, "WARNING",
                                      "Bad request from " + client_ip_ + ":" + std::to_string(client_port_) + ": " +
                                          parser_->failure_text()));
  co_await respond(txn, response_for(parser_->failure(), parser_->failure_text()), false);
}

asio::awaitable<bool> ClientSession::respond(Txn& txn, const LocalResponse& r, bool keep_alive) {
  logs::HttpMessage logged;
  auto bytes = local_response(r, keep_alive, logged);
  log(*txn.rt, logs::HttpDetail::SendingResponse, txn, client_ip_, client_port_, logged, false);
  std::error_code ec;
  co_await write_client(bytes, ec);
  co_return keep_alive && !ec;
}

asio::awaitable<bool> ClientSession::handle(Txn& txn) {
  const Runtime& rt = *txn.rt;
  const HttpHead& head = parser_->head();
  log(rt, logs::HttpDetail::ReceiveRequest, txn, client_ip_, client_port_,
      {head.method + " " + head.target + " " + head.version(), head.headers});

  // A refused request whose body we have not read cannot keep the connection.
  const bool can_keep = parser_->keep_alive() && !parser_->has_body();
  auto refuse = [&](const LocalResponse& r, const std::string& why) -> asio::awaitable<bool> {
    if (!why.empty()) rt.log->write_now(logs::thread_line(thread_.index, "WARNING", why));
    co_return co_await respond(txn, r, can_keep);
  };

  if (!supported_method(head.method))
    co_return co_await refuse(not_implemented("Method " + head.method + " is not supported."),
                              "Unsupported method " + head.method + " from " + client_ip_);

  std::string_view target(head.target);
  if (target.starts_with("http://") || target.starts_with("https://")) {
    auto authority = target.substr(target.find("://") + 3);
    auto slash = authority.find('/');
    auto host = authority.substr(0, slash);
    if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
      host = host.substr(0, colon);
    if (!ascii::iequals(host, rt.config.listen.public_name))
      co_return co_await refuse(bad_request("The request names another host."),
                                "Absolute-form request for host '" + std::string(host) + "', not this Expressway (" +
                                    rt.config.listen.public_name + ")");
    target = slash == std::string_view::npos ? std::string_view("/") : authority.substr(slash);
  }
  auto split = split_path(target);
  if (!split) co_return co_await refuse(bad_request(split.error().reason + "."), "Invalid MRA path: " + split.error().reason);
  auto segment = decode_segment(split->segment);
  if (!segment)
    co_return co_await refuse(bad_request(segment.error().reason + "."), "Invalid MRA path: " + segment.error().reason);
  if (segment->kind == MraSegment::Kind::EdgeConfig)
    co_return co_await refuse(not_found("Edge configuration for " + segment->domain + " is served by Expressway itself."),
                              "Edge configuration request for domain " + segment->domain + " is not emulated");
  const MraTarget& origin = segment->target;
  if (auto why = unsafe_path(split->rest))
    co_return co_await refuse(bad_request("Refused path: " + *why + "."), "Refused path for " + origin.host + ": " + *why);

  std::string origin_path(split->rest);
  if (origin_path.empty() || origin_path.front() == '?') origin_path.insert(0, "/");
  std::string path_only = origin_path.substr(0, origin_path.find('?'));
  std::string method_for_rules = head.method == "HEAD" ? "GET" : head.method;

  logs::AccessLine access;
  access.time = Clock::now();
  access.username = username_from_path(path_only);
  access.method = head.method;
  access.request_url = origin.origin_url(origin_path);
  const AllowRule* rule = rt.allow_list.match(method_for_rules, origin.protocol, origin.host, origin.port, path_only);
  access.allowed = rule != nullptr;
  if (rule) {
    access.rule_url = rule->url();
    access.match = rule->match == config::MatchType::Prefix ? "prefix" : "exact";
    access.type = rule->type;
  }
  rt.log->write(access.time, logs::access_line(access));
  if (!rule) co_return co_await respond(txn, forbidden(), can_keep);

  if (const auto* expect = head.find("Expect"); expect && ascii::iequals(*expect, "100-continue")) {
    std::error_code ec;
    co_await write_client("HTTP/1.1 100 Continue\r\n\r\n", ec);
    if (ec) co_return false;
  }
  co_return co_await forward(txn, origin, origin_path);
}

asio::awaitable<std::unique_ptr<OriginConnection>> ClientSession::open_origin(Txn& txn, const MraTarget& target,
                                                                              const asio::ip::address& address,
                                                                              const logs::HttpMessage& sent, bool& reused) {
  const Runtime& rt = *txn.rt;
  const auto key = origin_key(rt, target, address);
  const int attempts = 1 + rt.config.expressway.connect_attempts_max_retries;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    std::unique_ptr<OriginConnection> conn;
    if (reused && rt.config.origin.keep_alive)
      conn = thread_.pool.take(key, std::chrono::milliseconds(rt.config.timeouts.idle_ms));
    reused = conn != nullptr;
    log(rt, logs::HttpDetail::SendingRequest, txn, address.to_string(), target.port, sent);
    if (conn) co_return conn;
    auto opened = co_await connect_origin(rt, thread_.pool, target, address, thread_.index);
    if (opened) co_return std::move(*opened);
  }
  co_return nullptr;
}

asio::awaitable<std::error_code> ClientSession::send_request(const Runtime& rt, OriginConnection& conn,
                                                             const std::string& request_head, bool& client_gone) {
  // The head, then the body exactly as the client framed it.
  std::error_code ec;
  co_await conn.write_all(asio::buffer(request_head), ec);
  while (!ec) {
    std::size_t used = parser_->feed(buffer_.view());
    if (parser_->failed()) {
      client_gone = true;
      break;
    }
    if (used > 0) co_await conn.write_all(asio::buffer(buffer_.view().data(), used), ec);
    buffer_.consume(used);
    if (ec || parser_->message_complete()) break;
    std::error_code client_ec;
    co_await read_client(std::chrono::milliseconds(rt.config.timeouts.client_header_ms), client_ec);
    if (client_ec) {
      client_gone = true;  // the client left mid-body: nothing to answer
      break;
    }
  }
  co_return ec;
}

asio::awaitable<bool> ClientSession::forward(Txn& txn, const MraTarget& target, const std::string& origin_path) {
  const Runtime& rt = *txn.rt;
  const bool request_has_body = parser_->has_body();
  const bool can_keep = parser_->keep_alive() && !request_has_body;

  auto address = co_await resolve_origin(rt, target);
  if (!address) {
    rt.log->write_now(logs::thread_line(thread_.index, "WARNING", address.error()));
    co_return co_await respond(txn, connect_failed(), can_keep);
  }
  const std::string host_port =
      (target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
  logs::HttpMessage sent;
  const std::string request_head =
      origin_request_head(parser_->head(), origin_path, host_port, rt.config.origin.keep_alive, sent);

  // An idle pooled connection the origin has closed in the meantime fails before answering;
  // a request without a body is then sent once more on a new connection.
  bool reused = true;
  for (int round = 0; round < 2; ++round) {
    auto conn = co_await open_origin(txn, target, *address, sent, reused);
    if (!conn) co_return co_await respond(txn, connect_failed(), can_keep);
    bool client_gone = false;
    auto ec = co_await send_request(rt, *conn, request_head, client_gone);
    if (client_gone) {
      conn->close();
      co_return false;
    }
    Relay relay{};
    if (!ec) relay = co_await relay_response(txn, *conn);
    if (ec || relay.origin_silent) {
      conn->close();
      if (reused && !request_has_body && round == 0) {
        reused = false;
        continue;
      }
      const auto& error = ec ? ec : relay.silent_error;
      if (error.category() == asio::error::get_ssl_category()) {
        // An alert after the handshake (under TLS 1.3 a refused client certificate is reported
        // only then): the appliance's SSL ERROR line, so that it reads like the TLS 1.2 case.
        const std::string check_name = target.host_is_ip ? address->to_string() : target.host;
        rt.log->write_now(logs::ssl_failed_line(
            thread_.index, check_name, verify::ssl_error_text(static_cast<unsigned long>(error.value()), rt.log->openssl_text())));
      } else {
        std::string why = ec ? "write failed: " + ec.message() : "connection closed before a response";
        rt.log->write_now(logs::thread_line(thread_.index, "WARNING",
                                            "Origin " + target.host + ":" + std::to_string(target.port) + " " + why));
      }
      co_return co_await respond(txn, connect_failed(), false);
    }
    if (relay.origin_reusable && rt.config.origin.tls_session_reuse && conn->ssl())
      thread_.pool.remember_session(conn->key(), SslSessionPtr(SSL_get1_session(conn->ssl())));
    if (relay.origin_reusable && rt.config.origin.keep_alive)
      thread_.pool.give_back(std::move(conn), static_cast<std::size_t>(rt.config.origin.max_idle_per_origin));
    else
      conn->close();
    co_return relay.keep_client;
  }
  co_return false;
}

asio::awaitable<ClientSession::Relay> ClientSession::relay_response(Txn& txn, OriginConnection& conn) {
  const Runtime& rt = *txn.rt;
  HttpParser::Limits limits;
  limits.max_header_bytes = rt.config.limits.max_header_bytes;
  HttpParser response(HttpParser::Kind::Response, limits);
  response.expect_no_body(parser_->head().method == "HEAD");
  const bool client_keep = parser_->keep_alive() && !shared_.draining;
  ByteBuffer in;
  Deadline origin_deadline(socket_.get_executor());
  std::error_code ec;
  std::size_t received = 0;

  auto read_origin = [&]() -> asio::awaitable<void> {
    origin_deadline.arm(std::chrono::milliseconds(rt.config.timeouts.origin_response_ms), [&conn] { conn.cancel(); });
    auto n = co_await conn.read_some(in.prepare(), ec);
    origin_deadline.disarm();
    in.commit(n);
    received += n;
  };

  for (;;) {  // 1xx interim responses come before the final one
    while (!response.head_ready() && !response.failed()) {
      in.consume(response.feed(in.view()));
      if (response.head_ready() || response.failed()) break;
      co_await read_origin();
      if (ec) break;
    }
    if (!response.head_ready()) {
      if (received == 0 && !origin_deadline.expired()) co_return Relay{false, false, true, ec};
      std::string why = origin_deadline.expired() ? "no response within " + std::to_string(rt.config.timeouts.origin_response_ms) + " ms"
                        : response.failed()       ? "malformed response: " + response.failure_text()
                                                  : "connection closed in the middle of a response: " + ec.message();
      rt.log->write_now(logs::thread_line(thread_.index, "WARNING", "Origin " + conn.key().host + ":" +
                                                                        std::to_string(conn.key().port) + " " + why));
      // A named local, not a conditional temporary: g++ 12 destroys such temporaries twice
      // when they cross a co_await.
      LocalResponse answer = connect_failed();
      if (origin_deadline.expired()) answer = gateway_timeout();
      co_await respond(txn, answer, false);
      co_return Relay{};
    }
    const HttpHead& rh = response.head();
    log(rt, logs::HttpDetail::ReceiveResponse, txn, conn.key().ip, conn.key().port,
        {rh.version() + " " + std::to_string(rh.status) + " " + rh.reason, rh.headers}, false);
    const bool close_delimited = response.needs_eof();
    const bool keep = client_keep && !close_delimited;
    logs::HttpMessage sent;
    std::string out_head = client_response_head(rh, keep, sent);
    if (rh.status >= 200) log(rt, logs::HttpDetail::SendingResponse, txn, client_ip_, client_port_, sent, false);
    co_await write_client(out_head, ec);
    if (ec) co_return Relay{};

    for (;;) {
      std::size_t used = response.feed(in.view());
      if (response.failed()) co_return Relay{};
      if (used > 0) {
        co_await write_client(std::string_view(in.view().data(), used), ec);
        if (ec) co_return Relay{};
      }
      in.consume(used);
      if (response.message_complete()) break;
      co_await read_origin();
      if (ec) {
        if ((ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) && close_delimited) {
          response.finish();
          break;
        }
        co_return Relay{};  // the origin failed mid-body: the client sees the connection close
      }
    }
    if (rh.status >= 200) co_return Relay{keep, response.keep_alive() && in.empty() && !close_delimited, false, {}};
    response.next_message();
  }
}

}  // namespace mratls::proxy
