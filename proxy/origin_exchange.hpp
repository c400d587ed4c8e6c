// The origin side of one request, as nginx's upstream is to its request: connect to the origin
// or reuse a pooled connection (a stale one is retried once on a new connection), send the
// request with its body as the client framed it, relay the response as it comes, under the
// origin's deadlines, then give the connection back or close it, and keep its TLS session. The
// client connection is reached only through ClientSide, so an exchange runs without a socket
// on the client's side too; every line and status goes through the request's Transaction.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "mra/mra_path.hpp"
#include "proxy/byte_buffer.hpp"
#include "proxy/client_side.hpp"
#include "proxy/deadline.hpp"
#include "proxy/event_thread.hpp"
#include "proxy/http_parser.hpp"
#include "proxy/origin_connection.hpp"
#include "proxy/transaction.hpp"

namespace mratls::proxy {

// What one client connection's exchanges reuse, one after the other, so that a request costs
// no new buffer, timer or key: made on its first request that goes to an origin.
struct OriginScratch {
  explicit OriginScratch(const asio::any_io_executor& executor) : deadline(executor) {}

  // Small to start with, as most responses are; a busy transfer grows it to a TLS record.
  ByteBuffer response{4096, 16384};
  Deadline deadline;  // the origin side's operation in progress
  // The response parser, reset for each response: its head keeps its storage from one to the next.
  HttpParser& response_parser(const HttpParser::Limits& limits);
  std::optional<HttpParser> parser;
  // The heads as they go out, and as they are logged: rewritten for each request.
  std::string request_head, response_head;
  logs::HttpMessage request_sent, response_sent;
  // A connection's requests almost always go to one origin: its key is built once.
  const OriginKey& key_for(const Runtime& rt, const mra::MraTarget& target, const asio::ip::address& address);
  std::optional<OriginKey> last_key;
  asio::ip::address last_address;
};

class OriginExchange {
 public:
  OriginExchange(Transaction& txn, EventThread& thread, ClientSide& client, OriginScratch& scratch)
      : txn_(txn), thread_(thread), client_(client), scratch_(scratch) {}

  // Forwards the request to `target` and relays its answer, or answers it itself (502, 504,
  // 400, 408); true when the client connection can take another request. The coroutine keeps
  // references: `target` and `origin_path` must outlive it (the session's route does).
  asio::awaitable<bool> run(const mra::MraTarget& target, const std::string& origin_path);

  // More interim responses than this before the final one make a malformed response.
  static constexpr int kMaxInterimResponses = 8;

 private:
  struct Relay {
    bool keep_client = false;      // the client connection can take another request
    bool origin_reusable = false;  // the origin connection can go back to the pool
    bool origin_silent = false;    // the origin closed without a byte: nothing was sent to the client
    std::error_code silent_error;  // why, when it said so (a TLS 1.3 alert arrives only after the handshake)
  };
  // How sending a request went: the origin side, and the client side of its body.
  struct Sent {
    enum class Client { Ok, Gone, MalformedBody, TimedOut };
    Client client = Client::Ok;
    std::error_code origin_error;
    bool origin_stalled = false;  // the origin took nothing for origin_response_ms: a write made no progress
  };

  // A pooled connection when `reused` comes in true and one is idle, else a new one, with the
  // configured connection attempts; `reused` says which it was.
  asio::awaitable<std::unique_ptr<OriginConnection>> open_origin(const mra::MraTarget& target, const asio::ip::address& address,
                                                                 const logs::HttpMessage& sent, bool& reused);
  asio::awaitable<Sent> send_request(OriginConnection& conn, const std::string& request_head);
  // A body that failed after its head went to the origin: 400 or 408 and a line, or nothing
  // when the client has gone. The connection always closes.
  asio::awaitable<bool> refuse_body(const Sent& sent);
  asio::awaitable<Relay> relay_response(OriginConnection& conn);

  Transaction& txn_;
  EventThread& thread_;
  ClientSide& client_;
  OriginScratch& scratch_;
};

}  // namespace mratls::proxy
