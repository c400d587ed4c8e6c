// Probing an origin the way X14.2's traffic server will connect to it, without sending it a
// request: TCP, TLS with the same SNI rule, cipher string, security level and verifier as the
// proxy, the presented chain captured, and the verdicts before and after X14.2.
#pragma once

#include <asio/awaitable.hpp>

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/runtime.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/cipher_preference.hpp"
#include "verify/origin_verification.hpp"
#include "verify/outcome.hpp"

namespace mratls::check {

struct ProbeTarget {
  std::string node;      // the node as configured or advertised
  std::string protocol;  // https | http
  std::uint16_t port = 0;
};

enum class ProbeOutcome {
  Verified,       // TLS works and X14.2 accepts the origin
  Refused,        // TLS works, X14.2's verification refuses the origin
  TlsFailed,      // the handshake itself fails: before X14.2 too
  ConnectFailed,  // no TCP connection (or no resolution)
  NotTls,         // a plain-HTTP port (TFTP 6970): not subject to verification
};

const char* to_string(ProbeOutcome o);

struct Probe {
  ProbeTarget target;
  std::string preference;  // the column it fills: "ECDSA-first" | "RSA-first" | "n/a" | "other"
  verify::CertificatePreference prefers = verify::CertificatePreference::Ecdsa;  // what its string prefers, as OpenSSL reads it
  std::string ciphers;     // the cipher string it offered
  std::optional<verify::Offered> offered;  // the certificate types that string lets a TLS 1.2 node present
  ProbeOutcome outcome = ProbeOutcome::ConnectFailed;
  std::string ip;
  std::string error;  // for TlsFailed / ConnectFailed
  std::string tls_version;
  std::string cipher;
  std::vector<verify::CertificateSummary> chain;  // as presented, leaf first
  std::vector<std::string> chain_der;             // the same certificates, DER, to judge again offline
  std::string checked_name;                       // the name verification checks (SNI or the address)
  std::vector<verify::Finding> findings;          // every check, as log-only mode runs them
  std::vector<std::string> x142_lines;            // what X14.2 with VerifyOriginServer On would write
  std::optional<verify::Outcome> failure;         // why X14.2 would fail it (Refused, TlsFailed, ConnectFailed)
  std::vector<verify::Outcome> also;              // what the same certificates fail after it, in order
  // The node asked for a client certificate and the probe presented none: what X14.2 would get
  // is not known, since the appliance always presents its own.
  bool client_certificate_untested = false;

  // The certificate the node presented to this probe ("RSA", "ECDSA", "other"), or "" when it
  // presented none: a column's label says what its string prefers, this what it got.
  std::string presented() const { return chain.empty() ? std::string() : chain.front().key_type; }

  bool before_x142_ok() const { return outcome == ProbeOutcome::Verified || outcome == ProbeOutcome::Refused || outcome == ProbeOutcome::NotTls; }
  bool x142_ok() const { return outcome == ProbeOutcome::Verified || outcome == ProbeOutcome::NotTls; }
};

// `rt` supplies the trust store, cipher string, TLS version, security level, timeouts and hosts.
asio::awaitable<Probe> probe_origin(const proxy::Runtime& rt, ProbeTarget target, std::string preference);

struct ProbeJob {
  std::shared_ptr<const proxy::Runtime> runtime;
  ProbeTarget target;
  std::string preference;
};

// Runs every job with at most `concurrency` in flight over `threads` threads; results in order.
// `progress` (optional) is called after each probe with the number done.
std::vector<Probe> run_probes(const std::vector<ProbeJob>& jobs, std::size_t concurrency, unsigned threads,
                              const std::function<void(std::size_t)>& progress = {});

// GET over TLS without verification (discovery happens before trust is settled): the body.
std::expected<std::string, std::string> fetch_without_verification(const proxy::Runtime& rt, const ProbeTarget& target,
                                                                   const std::string& path);

}  // namespace mratls::check
