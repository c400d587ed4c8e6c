#include "control/admin_connection.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <charconv>

#include "proxy/http_status.hpp"

namespace mratls::control {
namespace {

proxy::HttpParser::Limits admin_limits() {
  proxy::HttpParser::Limits l;
  l.max_header_bytes = 16384;
  l.max_target_bytes = 2048;
  l.max_header_count = 64;
  return l;
}

}  // namespace

std::string response_head(const AdminResponse& r, std::size_t content_length, bool keep_alive) {
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(proxy::reason_phrase(r.status)) + "\r\nContent-Type: " + r.content_type +
                     "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
  for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
  if (!r.event_stream) head += "Content-Length: " + std::to_string(content_length) + "\r\n";
  head += keep_alive ? "\r\n" : "Connection: close\r\n\r\n";
  return head;
}

AdminConnection::AdminConnection(asio::ip::tcp::socket socket, AdminApi& api, EventHub& hub, std::atomic<int>& open)
    : socket_(std::move(socket)),
      api_(api),
      hub_(hub),
      open_(open),
      deadline_(socket_.get_executor()),
      parser_(proxy::HttpParser::Kind::Request, admin_limits()) {
  ++open_;
}

void AdminConnection::start() {
  asio::co_spawn(socket_.get_executor(), [self = shared_from_this()] { return self->run(); }, asio::detached);
}

asio::awaitable<bool> AdminConnection::write(std::string_view bytes) {
  std::error_code ec;
  deadline_.arm(std::chrono::duration_cast<std::chrono::milliseconds>(kReadTimeout), [this] {
    std::error_code ignored;
    socket_.cancel(ignored);
  });
  co_await asio::async_write(socket_, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
  co_return !ec;
}

asio::awaitable<AdminConnection::Read> AdminConnection::read_request(bool first) {
  body_.clear();
  char chunk[8192];
  while (true) {
    if (!buffer_.empty() || parser_.head_ready()) {
      const bool had_head = parser_.head_ready();
      const auto used = parser_.feed(buffer_);
      if (had_head) body_.append(buffer_, 0, used);
      buffer_.erase(0, used);
      if (parser_.failed()) {
        refusal_ = error_response(proxy::status_for(parser_.failure()), "bad request: " + parser_.failure_text());
        co_return Read::Refused;
      }
      if (!had_head && parser_.head_ready()) {
        if (parser_.chunked()) {
          refusal_ = error_response(411, "send the body with a Content-Length");
          co_return Read::Refused;
        }
        const auto* length = parser_.head().find("Content-Length");
        std::size_t declared = 0;
        if (length) std::from_chars(length->data(), length->data() + length->size(), declared);  // llhttp checked the digits
        if (length && (length->size() > 8 || declared > kMaxBody)) {
          refusal_ = error_response(413, "the body is larger than " + std::to_string(kMaxBody) + " bytes");
          co_return Read::Refused;
        }
        if (!parser_.has_body()) parser_.feed({});
      }
      if (parser_.message_complete()) co_return Read::Request;
      if (!buffer_.empty()) continue;
    }
    const auto wait = first || parser_.head_bytes() > 0 ? kReadTimeout : kIdleTimeout;
    deadline_.arm(std::chrono::duration_cast<std::chrono::milliseconds>(wait), [this] {
      std::error_code ignored;
      socket_.cancel(ignored);
    });
    std::error_code ec;
    const auto n = co_await socket_.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    deadline_.disarm();
    if (ec) co_return Read::Closed;
    buffer_.append(chunk, n);
  }
}

asio::awaitable<bool> AdminConnection::answer(const AdminResponse& response, bool keep_alive, bool head_only) {
  std::string bytes = response_head(response, response.body.size(), keep_alive);
  if (!head_only) bytes += response.body;
  const bool ok = co_await write(bytes);
  co_return ok && keep_alive;
}

asio::awaitable<void> AdminConnection::run() {
  bool first = true;
  while (true) {
    const auto read = co_await read_request(first);
    first = false;
    if (read == Read::Closed) break;
    if (read == Read::Refused) {
      co_await answer(refusal_, false);
      break;
    }
    const auto& head = parser_.head();
    AdminRequest request{head.method, head.target, head.headers, std::move(body_)};
    const bool head_only = request.method == "HEAD";
    AdminResponse response = api_.handle(request);
    if (response.event_stream) {
      // A stream has no length: its HEAD is the head, and the end of the connection.
      if (head_only) co_await write(response_head(response, 0, false));
      else co_await stream_events(response);
      break;
    }
    const bool keep_alive = parser_.keep_alive();
    if (!co_await answer(response, keep_alive, head_only)) break;
    parser_.next_message();
  }
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

asio::awaitable<void> AdminConnection::stream_events(const AdminResponse& head) {
  if (!co_await write(response_head(head, 0, false) + "retry: 1000\n\n")) co_return;
  auto subscriber = hub_.subscribe(socket_.get_executor());
  while (true) {
    std::deque<Event> events;
    bool overflowed = false;
    {
      std::lock_guard lock(subscriber->mutex);
      events.swap(subscriber->queue);
      overflowed = subscriber->overflowed;
      subscriber->notified = false;
    }
    std::string out;
    for (const auto& e : events) out += sse_frame(e);
    if (overflowed) out += sse_frame(Event{0, "overflow", "this stream fell behind and is closed; reconnect to resume"});
    if (!out.empty() && !co_await write(out)) break;
    if (overflowed) break;
    {
      std::lock_guard lock(subscriber->mutex);
      if (!subscriber->queue.empty() || subscriber->overflowed) continue;
    }
    // Woken by a publish (cancel) or the heartbeat, which also finds a client that has gone.
    subscriber->wake.expires_after(kHeartbeat);
    std::error_code ec;
    co_await subscriber->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && !co_await write(": heartbeat\n\n")) break;
  }
  hub_.unsubscribe(subscriber);
}

}  // namespace mratls::control
