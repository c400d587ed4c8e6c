// A small blocking HTTP/1.1 client for talking to a proxy: `mratls lab` and `mratls login`
// replay requests with it, and the tests drive the proxy with it. Raw bytes go out as given,
// so that malformed requests can be sent too.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mratls::proxy {

struct ClientResponse {
  int status = 0;  // 0: no response (connection closed or timed out)
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;     // de-chunked
  bool closed = false;  // the server closed the connection after the response
  std::vector<int> interim;  // the 1xx responses before it, in order
};

class BlockingClient {
 public:
  BlockingClient(const std::string& address, std::uint16_t port,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  void send_raw(const std::string& bytes);
  ClientResponse read_response(bool head_request = false);
  // The next response, interim or final: a 100 Continue is returned as it comes.
  ClientResponse read_interim() { return read(false, true); }
  ClientResponse exchange(const std::string& bytes) {
    send_raw(bytes);
    return read_response();
  }
  // True when the server closes the connection within two seconds.
  bool peer_closed();

 private:
  ClientResponse read(bool head_request, bool stop_at_interim);

  int fd_ = -1;
  std::string pending_;
};

}  // namespace mratls::proxy
