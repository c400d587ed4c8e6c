// What the origin side of a request needs of the client connection, and no more: the request
// as parsed with the bytes the client has sent, reads of the rest of its body, writes of the
// response, and the proxy's own answers. ClientSession is one; a test can be another, without
// a socket.
#pragma once

#include <asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <string_view>

#include "proxy/byte_buffer.hpp"
#include "proxy/http_parser.hpp"
#include "proxy/http_write.hpp"
#include "proxy/transaction.hpp"

namespace mratls::proxy {

class ClientSide {
 public:
  // The request being forwarded: its head has been read; its body, if any, is read next from
  // received(), which read_more() fills.
  virtual HttpParser& request() = 0;
  virtual ByteBuffer& received() = 0;
  // More of the request from the client, within `timeout`; false when the client has gone or
  // did not send in time (timed_out() says which).
  virtual asio::awaitable<bool> read_more(std::chrono::milliseconds timeout) = 0;
  virtual bool timed_out() const = 0;
  // Response bytes as they come: a head with the first body bytes at hand, in one send.
  virtual asio::awaitable<bool> write(const Transaction& txn, std::string_view head, std::string_view body) = 0;
  // An answer of the proxy's own, its lines written and its status counted.
  virtual asio::awaitable<bool> respond(Transaction& txn, const LocalResponse& response, bool keep_alive) = 0;
  virtual const std::string& ip() const = 0;
  virtual int port() const = 0;
  // The server is stopping: the connection closes after this response.
  virtual bool draining() const = 0;

 protected:
  ~ClientSide() = default;
};

}  // namespace mratls::proxy
