// An origin under a test's control, for faults no real CUCM would admit to: a TLS (or plain)
// server on loopback that reads requests with llhttp configured strictly (its own parser, not
// the proxy's), records each request it reads, and answers with the bytes a script gives, then
// does what the script says. It also counts the connections it has open, so that tests can see
// the proxy close what it should.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mratls::test {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // chunked bodies de-chunked
  int connection = 0;  // which accepted connection it came on (1-based)
  int index = 0;       // its position on that connection (0-based)
};

struct ScriptedReply {
  std::string bytes;                     // written at once
  std::string trickled;                  // then written a byte at a time, `trickle` apart
  std::chrono::milliseconds trickle{100};
  enum class Then { Keep, Close, Reset, Stall };
  Then then = Then::Keep;
  // Bytes written later on the idle connection, unasked (a broken keep-alive origin).
  std::string unsolicited;
  std::chrono::milliseconds unsolicited_after{0};
};

enum class OnAccept {
  Serve,
  ResetInHandshake,  // read the ClientHello, then reset
  StallInHandshake,  // accept, never answer
  CloseAfterRequest, // read one request, close without a byte
};

struct ScriptedOriginSpec {
  bool tls = true;
  bool tls13 = true;  // false: TLS 1.2 at most, as CUCM
  OnAccept on_accept = OnAccept::Serve;
  // How many connections, the first ones, on_accept applies to; those after are served
  // (-1: every one). An origin that fails once and then answers.
  int faulty_connections = -1;
  std::function<ScriptedReply(const ReceivedRequest&)> script;
};

// A reply of these bytes, written at once.
ScriptedReply reply_with(std::string bytes, ScriptedReply::Then then = ScriptedReply::Then::Keep);

// A complete response with a Content-Length body.
std::string http_response(int status, const std::string& body, const std::string& extra_headers = "");

class ScriptedOrigin {
 public:
  explicit ScriptedOrigin(ScriptedOriginSpec spec);
  ~ScriptedOrigin();
  ScriptedOrigin(const ScriptedOrigin&) = delete;
  ScriptedOrigin& operator=(const ScriptedOrigin&) = delete;

  std::uint16_t port() const;
  std::vector<ReceivedRequest> requests() const;
  // Requests the strict parser refused: bytes a proxy must never send.
  std::vector<std::string> parse_errors() const;
  int accepted() const;
  // The ClientHello random of each completed TLS handshake, in lower-case hex, in order.
  std::vector<std::string> client_randoms() const;
  // Waits until `n` unsolicited replies were written and acknowledged by the proxy's kernel.
  [[nodiscard]] bool wait_unsolicited_sent(int n, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) const;
  int open_connections() const;
  // Waits until open_connections() == n.
  [[nodiscard]] bool wait_open_connections(int n, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mratls::test
