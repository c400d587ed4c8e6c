// Verification of one origin connection the way the X14.2 traffic server does it (docs/architecture.md):
// OpenSSL builds and checks the chain and calls back for each certificate and error; the
// callback records each failure, and at depth 0 runs Traffic Server's own name check.
#pragma once

#include <openssl/ssl.h>

#include <ctime>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "verify/trust_store.hpp"

namespace mratls::verify {

enum class Enforcement { Enforce, LogOnly };

struct OriginIdentity {
  std::string check_name;  // the SNI sent, or the remote IP when the path names an IP literal
  std::string server;      // the origin host from the MRA path
  std::string ip;          // the remote IP, no port
};

struct Finding {
  enum class Kind { Chain, Name };
  Kind kind = Kind::Chain;
  int x509_error = 0;  // X509_V_ERR_* for Chain
  int depth = 0;
  bool operator==(const Finding&) const = default;
};

// Owned by the connection for the length of the handshake; the SSL object points at it.
class OriginVerification {
 public:
  OriginVerification(OriginIdentity identity, Enforcement enforcement)
      : identity_(std::move(identity)), enforcement_(enforcement) {}
  OriginVerification(const OriginVerification&) = delete;
  OriginVerification& operator=(const OriginVerification&) = delete;

  void attach(SSL* ssl);
  // The name check when OpenSSL never called back at depth 0 with a good chain (log-only mode
  // after a chain error ends the walk early). Returns false when the connection must be refused.
  bool after_handshake(SSL* ssl);

  // The same checks without a handshake: the leaf, what the origin would send with it, the trust
  // store, the security level and (optionally) the time to verify at. True when X14.2 accepts.
  bool verify_offline(X509* leaf, const std::vector<X509*>& untrusted, const TrustStore& trust, int security_level,
                      std::optional<std::time_t> at = std::nullopt);

  const OriginIdentity& identity() const { return identity_; }
  Enforcement enforcement() const { return enforcement_; }
  const std::vector<Finding>& findings() const { return findings_; }

  int on_verify(int preverify_ok, X509_STORE_CTX* ctx);

 private:
  bool check_name(X509* leaf);

  OriginIdentity identity_;
  Enforcement enforcement_;
  std::vector<Finding> findings_;
  bool name_checked_ = false;
};

// A finding in words: the X509 error text in the given style, or "name not in certificate".
std::string finding_text(const Finding& finding, config::OpenSslText style);

// Applies the Expressway settings to a client SSL_CTX used for origin connections: cipher string,
// security level, highest TLS version, the trust store, verify depth 7.
std::expected<void, std::string> configure_origin_context(SSL_CTX* ctx, const config::Expressway& settings,
                                                          const TrustStore& trust);

}  // namespace mratls::verify
