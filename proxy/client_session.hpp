// One client connection: its socket, buffer, parser and keep-alive loop. It reads each request,
// decodes the MRA path and applies the allow list (route.cpp), answers what it refuses, and
// hands the rest to an OriginExchange, to which it is the ClientSide: the request's body comes
// from here and the response goes out through here.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "proxy/byte_buffer.hpp"
#include "proxy/client_side.hpp"
#include "proxy/deadline.hpp"
#include "proxy/event_thread.hpp"
#include "proxy/http_parser.hpp"
#include "proxy/http_write.hpp"
#include "proxy/origin_exchange.hpp"
#include "proxy/transaction.hpp"

namespace mratls::proxy {

class ClientSession final : public std::enable_shared_from_this<ClientSession>, private ClientSide {
 public:
  ClientSession(asio::ip::tcp::socket socket, EventThread& thread, SharedState& shared);
  ~ClientSession();

  void start();
  // Graceful stop: an idle keep-alive connection closes now, a busy one after its response.
  void drain();

 private:
  asio::awaitable<void> run();
  asio::awaitable<bool> handle(Transaction& txn);
  asio::awaitable<void> report_parse_failure(std::shared_ptr<const Runtime> rt);

  // ClientSide, for the origin exchange.
  HttpParser& request() override { return *parser_; }
  ByteBuffer& received() override { return buffer_; }
  asio::awaitable<bool> read_more(std::chrono::milliseconds timeout) override;
  bool timed_out() const override { return deadline_.expired(); }
  // Within the idle timeout, cut to what is left of the transaction.
  asio::awaitable<bool> write(const Transaction& txn, std::string_view head, std::string_view body) override;
  asio::awaitable<bool> respond(Transaction& txn, const LocalResponse& r, bool keep_alive) override;
  const std::string& ip() const override { return client_ip_; }
  int port() const override { return client_port_; }
  bool draining() const override { return shared_.draining; }

  asio::awaitable<std::size_t> read_client(std::chrono::milliseconds timeout, std::error_code& ec);
  void warn(const Runtime& rt, const std::string& text);
  // "GET /x HTTP/1.1" of the request being handled, as its lines show it, in a buffer the
  // connection keeps from one request to the next.
  const std::string& request_line();

  asio::ip::tcp::socket socket_;
  EventThread& thread_;
  SharedState& shared_;
  Deadline deadline_;  // the client side's operation in progress
  // Small to start with, as most heads and bodies are; a busy transfer grows it to a TLS record.
  ByteBuffer buffer_{4096, 16384};
  // What its origin exchanges reuse, made by the first one: an idle connection holds a pointer.
  std::unique_ptr<OriginScratch> origin_;
  // Writes to the client time out after the idle timeout of the runtime the request runs under.
  std::chrono::milliseconds write_timeout_{60000};
  std::unique_ptr<HttpParser> parser_;
  std::string request_line_;
  std::string client_ip_;
  int client_port_ = 0;
  bool idle_ = true;
};

}  // namespace mratls::proxy
