// One client connection: reads requests, decodes the MRA path, applies the allow list,
// forwards to the origin and streams the response back, writing the appliance's lines.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "proxy/byte_buffer.hpp"
#include "proxy/deadline.hpp"
#include "proxy/event_thread.hpp"
#include "proxy/http_parser.hpp"
#include "proxy/http_write.hpp"
#include "mra/mra_path.hpp"
#include "proxy/origin_connection.hpp"
#include "proxy/transaction.hpp"

namespace mratls::proxy {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(asio::ip::tcp::socket socket, EventThread& thread, SharedState& shared);
  ~ClientSession();

  void start();
  // Graceful stop: an idle keep-alive connection closes now, a busy one after its response.
  void drain();

 private:
  asio::awaitable<void> run();
  asio::awaitable<bool> handle(Transaction& txn);
  struct Relay {
    bool keep_client = false;     // the client connection can take another request
    bool origin_reusable = false; // the origin connection can go back to the pool
    bool origin_silent = false;   // the origin closed without a byte: nothing was sent to the client
    std::error_code silent_error; // why, when it said so (a TLS 1.3 alert arrives only after the handshake)
  };

  asio::awaitable<bool> forward(Transaction& txn, const mra::MraTarget& target, const std::string& origin_path);
  // A pooled connection when `reused` comes in true and one is idle, else a new one, with the
  // configured connection attempts; `reused` says which it was.
  asio::awaitable<std::unique_ptr<OriginConnection>> open_origin(Transaction& txn, const mra::MraTarget& target,
                                                                 const asio::ip::address& address,
                                                                 const logs::HttpMessage& sent, bool& reused);
  // How sending a request went: the origin side, and the client side of its body.
  struct Sent {
    enum class Client { Ok, Gone, MalformedBody, TimedOut };
    Client client = Client::Ok;
    std::error_code origin_error;
  };
  asio::awaitable<Sent> send_request(const Runtime& rt, OriginConnection& conn, const std::string& request_head);
  // A body that failed after its head went to the origin: 400 or 408 and a line, or nothing
  // when the client has gone. The connection always closes.
  asio::awaitable<bool> refuse_body(Transaction& txn, const Sent& sent);
  asio::awaitable<Relay> relay_response(Transaction& txn, OriginConnection& conn);
  asio::awaitable<bool> respond(Transaction& txn, const LocalResponse& r, bool keep_alive);
  asio::awaitable<void> report_parse_failure(const Runtime& rt);

  asio::awaitable<std::size_t> read_client(std::chrono::milliseconds timeout, std::error_code& ec);
  asio::awaitable<void> write_client(std::string_view data, std::error_code& ec);
  asio::awaitable<void> write_client(std::string_view head, std::string_view body, std::error_code& ec);

  // The per-operation timeout, cut to what is left of the transaction (timeouts.transaction_ms).
  std::chrono::milliseconds bounded(std::chrono::milliseconds timeout) const;
  bool txn_expired() const;
  void warn(const Runtime& rt, const std::string& text);

  const OriginKey& key_for(const Runtime& rt, const mra::MraTarget& target, const asio::ip::address& address);
  // "GET /x HTTP/1.1" of the request being handled, as its lines show it.
  std::string request_line() const;

  asio::ip::tcp::socket socket_;
  EventThread& thread_;
  SharedState& shared_;
  Deadline deadline_;         // the client side's operation in progress
  std::optional<Deadline> origin_deadline_;  // the origin side's, from the first response relayed
  // Small to start with, as most heads and bodies are; a busy transfer grows them to a TLS record.
  ByteBuffer buffer_{4096, 16384};
  ByteBuffer origin_in_{4096, 16384};  // the response being relayed; kept for the next one
  // Writes to the client time out after the idle timeout of the runtime the request runs under.
  std::chrono::milliseconds write_timeout_{60000};
  std::unique_ptr<HttpParser> parser_;
  std::string client_ip_;
  int client_port_ = 0;
  bool idle_ = true;
  std::optional<OriginKey> last_key_;  // of the last origin this connection's requests went to
  asio::ip::address last_address_;
  std::optional<std::chrono::steady_clock::time_point> txn_deadline_;

  // More interim responses than this before the final one make a malformed response.
  static constexpr int kMaxInterimResponses = 8;
};

}  // namespace mratls::proxy
