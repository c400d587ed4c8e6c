// A mock origin node (CUCM, IM&P, Unity Connection): a real TLS (or plain HTTP) server on
// loopback that presents the certificates a scenario gives it. With an RSA and an ECDSA
// certificate it presents the one the client selects, as CUCM does with tomcat and
// tomcat-ECDSA: by cipher under TLS 1.2, by signature algorithm under TLS 1.3.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lab/pki.hpp"

namespace mratls::lab {

struct OriginCertificate {
  Issued leaf;
  std::vector<Issued> chain;  // sent after the leaf, nearest issuer first (keys unused)
};

struct OriginReply {
  int status = 200;
  std::string reason;  // Tomcat sends no reason phrase: "HTTP/1.1 200 "
  std::string content_type = "application/xml";
  std::string body;
  bool chunked = false;
};

struct OriginRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

enum class OriginBehaviour {
  Serve,           // answer requests
  ResetHandshake,  // read the ClientHello, then reset the connection
  Stall,           // accept and never answer
  PlainHttp,       // answer in plain HTTP even where TLS is expected
  Mute,            // finish the handshake, then neither read nor answer: a node that hangs
};

struct MockOriginSpec {
  std::string name = "origin";
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: ephemeral
  bool tls = true;
  std::vector<OriginCertificate> certificates;  // RSA and/or ECDSA
  bool tls13 = false;                           // highest version: TLS 1.3, or 1.2 as CUCM
  OriginBehaviour behaviour = OriginBehaviour::Serve;
  std::function<OriginReply(const OriginRequest&)> handler;  // default: a UDS-like XML echo
  // Requests answered on one connection before the next is dropped unanswered, as a server
  // that closed an idle keep-alive connection does (0: no limit).
  int answers_per_connection = 0;
  // Ask for a client certificate, as CUCM does on 6972, and end the handshake with an
  // `unknown ca` alert when the one presented is not signed by one of these CAs (the node's
  // tomcat-trust). A client that presents none is served. Empty: never ask.
  std::vector<Issued> client_certificate_cas;
  // Refuse a client that presents no certificate (SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
  bool client_certificate_required = false;
  // Refuse every certificate presented with this X509_V_ERR_* (0: verify against the CAs).
  int client_certificate_refusal = 0;
};

class MockOrigin {
 public:
  static std::expected<std::unique_ptr<MockOrigin>, std::string> start(MockOriginSpec spec);
  ~MockOrigin();

  std::uint16_t port() const;
  const std::string& address() const;
  int requests_served() const;
  int handshakes() const;
  // The certificate subject CN presented on the last handshake ("" when none).
  std::string last_presented_cn() const;
  void stop();

  struct Impl;

 private:
  explicit MockOrigin(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

OriginReply default_reply(const std::string& origin_name, const OriginRequest& request);

}  // namespace mratls::lab
