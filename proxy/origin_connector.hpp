// Opens a connection to an origin the way the X14.2 traffic server does: resolution through the
// configuration's hosts map first, TCP connect and TLS handshake under timeouts, SNI unless the
// host is an IP literal, and verification with the appliance's WARNING and ERROR lines.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <expected>
#include <memory>
#include <string>

#include "mra/mra_path.hpp"
#include "proxy/origin_connection.hpp"
#include "proxy/origin_pool.hpp"
#include "proxy/runtime.hpp"
#include "verify/origin_verification.hpp"
#include "verify/outcome.hpp"

namespace mratls::proxy {

struct ConnectError {
  std::string detail;  // for our own log line; the client sees 502 connect failed
  verify::Outcome outcome;  // the one the lines say
  std::vector<verify::Outcome> more;  // what the certificates fail after it
  std::vector<std::string> lines;  // the WARNING/ERROR lines written about it, without prefix
};

// The hosts map, then an IP literal as is, then DNS (IPv4 first).
asio::awaitable<std::expected<asio::ip::address, std::string>> resolve_origin(const Runtime& rt, const mra::MraTarget& target);

// TCP connect under connect_ms.
asio::awaitable<std::expected<asio::ip::tcp::socket, std::string>> connect_tcp(const Runtime& rt, const mra::MraTarget& target,
                                                                               const asio::ip::address& address);

struct TlsHandshake {
  std::unique_ptr<OriginConnection::TlsStream> tls;
  std::error_code ec;
  bool timed_out = false;
  bool refused_after = false;  // the name check after the handshake refused the origin
  bool certificate_requested = false;  // the origin sent a CertificateRequest
  std::string failure_text;    // the text of the ERROR line, in the configured OpenSSL wording
  bool failed() const { return ec || timed_out || refused_after; }
};

// The TLS handshake with Traffic Server's SNI rule and, when given, the verification attached.
asio::awaitable<TlsHandshake> handshake_tls(const Runtime& rt, asio::ip::tcp::socket socket, const mra::MraTarget& target,
                                            verify::OriginVerification* verification, SSL_SESSION* resume);

// A TLS error that is not our verification's, as a value: the origin refusing Expressway-C's
// client certificate (during the handshake, or after it under TLS 1.3), or another failure
// whose ERROR-line text is `text`. `certificate_requested`: the origin asked for a client
// certificate (an alert after a completed TLS 1.3 handshake counts as asked); `presented`:
// Expressway-C had one to send.
verify::Outcome tls_error_outcome(const std::error_code& ec, const std::string& check_name, const std::string& text,
                                  bool certificate_requested, bool presented);
// An alert on a connection whose handshake completed: under TLS 1.3 a refused client
// certificate is reported only then (under TLS 1.2 the alert would be about something else).
verify::Outcome post_handshake_outcome(const std::error_code& ec, SSL* ssl, const std::string& check_name, const std::string& text);

// Why a failed handshake failed, as values: the verification's findings in the order met (each
// with where its chain breaks, read from the chain sent and rt's store), the first being the one
// that refused the origin and the rest what the same chain fails after it, judged against rt's
// store; or a refused client certificate, or another TLS failure. `check_name` is the name
// checked. Without `rt`, the findings as they are and no chain gap.
std::vector<verify::Outcome> handshake_outcomes(const TlsHandshake& h, const verify::OriginVerification* verification,
                                                const std::string& check_name, bool host_is_ip, config::OpenSslText style,
                                                const Runtime* rt);

// The chain the origin presented, leaf first (kept by OpenSSL after a refused verification too).
std::vector<X509*> peer_chain(SSL* ssl);

// One connection attempt. Every line it writes goes to rt.log with `thread` as ET_NET number.
asio::awaitable<std::expected<std::unique_ptr<OriginConnection>, ConnectError>> connect_origin(
    const Runtime& rt, OriginPool& pool, const mra::MraTarget& target, const asio::ip::address& address, int thread);

OriginKey origin_key(const Runtime& rt, const mra::MraTarget& target, const asio::ip::address& address);

// The name the traffic server checks the certificate against and logs: the host, or for an IP
// literal the remote IP's text, which is the literal. Where the hosts map sends a literal
// elsewhere (a site replayed on loopback), it stays the literal the cluster advertised.
std::string checked_name(const Runtime& rt, const mra::MraTarget& target, const std::string& remote_ip);

}  // namespace mratls::proxy
