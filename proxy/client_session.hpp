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

namespace mratls::proxy {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(asio::ip::tcp::socket socket, EventThread& thread, SharedState& shared);
  ~ClientSession();

  void start();
  // Graceful stop: an idle keep-alive connection closes now, a busy one after its response.
  void drain();

 private:
  struct Txn {
    std::shared_ptr<const Runtime> rt;
    std::string id;
    std::string tracking_id;
    // Why the request did not reach its origin, once known; recorded with the response.
    std::optional<verify::Outcome> outcome;
    int status = 0;                          // the final status sent to the client
    const mra::MraTarget* target = nullptr;  // the origin, once routed; valid inside handle()
    std::vector<std::string> lines;          // the WARNING/ERROR lines about the origin
  };

  asio::awaitable<void> run();
  asio::awaitable<bool> handle(Txn& txn);
  // Every final response is counted by status (GET /metrics) before it is written; one from an
  // origin's transaction is recorded too: verification failures always, the rest for the origin
  // table while an admin listener watches.
  void count_response(Txn& txn, int status);
  // A WARNING line that also goes with the transaction to the origin table.
  void warn(const Runtime& rt, Txn& txn, const std::string& text);
  struct Relay {
    bool keep_client = false;     // the client connection can take another request
    bool origin_reusable = false; // the origin connection can go back to the pool
    bool origin_silent = false;   // the origin closed without a byte: nothing was sent to the client
    std::error_code silent_error; // why, when it said so (a TLS 1.3 alert arrives only after the handshake)
  };

  asio::awaitable<bool> forward(Txn& txn, const mra::MraTarget& target, const std::string& origin_path);
  // A pooled connection when `reused` comes in true and one is idle, else a new one, with the
  // configured connection attempts; `reused` says which it was.
  asio::awaitable<std::unique_ptr<OriginConnection>> open_origin(Txn& txn, const mra::MraTarget& target,
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
  asio::awaitable<bool> refuse_body(Txn& txn, const Sent& sent);
  asio::awaitable<Relay> relay_response(Txn& txn, OriginConnection& conn);
  asio::awaitable<bool> respond(Txn& txn, const LocalResponse& r, bool keep_alive);
  asio::awaitable<void> report_parse_failure(const Runtime& rt);

  asio::awaitable<std::size_t> read_client(std::chrono::milliseconds timeout, std::error_code& ec);
  asio::awaitable<void> write_client(std::string_view data, std::error_code& ec);
  asio::awaitable<void> write_client(std::string_view head, std::string_view body, std::error_code& ec);

  // The per-operation timeout, cut to what is left of the transaction (timeouts.transaction_ms).
  std::chrono::milliseconds bounded(std::chrono::milliseconds timeout) const;
  bool txn_expired() const;
  void warn(const Runtime& rt, const std::string& text);

  void log(const Runtime& rt, logs::HttpDetail detail, const Txn& txn, std::string_view ip, int port,
           logs::HttpMessageView msg, bool with_tracking = true);
  void log(const Runtime& rt, logs::HttpDetail detail, const Txn& txn, std::string_view ip, int port,
           const logs::HttpMessage& msg, bool with_tracking = true) {
    log(rt, detail, txn, ip, port, logs::HttpMessageView{msg.first_line, &msg.headers}, with_tracking);
  }
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
