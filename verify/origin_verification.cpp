#include "verify/origin_verification.hpp"

#include <openssl/err.h>

#include "verify/certificate_names.hpp"
#include "verify/name_match.hpp"
#include "verify/ossl.hpp"
#include "verify/x509_text.hpp"

namespace mratls::verify {
namespace {

int ex_data_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// For verification without a handshake, the context itself points at the verification.
int store_ctx_index() {
  static const int index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int verify_trampoline(int preverify_ok, X509_STORE_CTX* ctx) {
  auto* self = static_cast<OriginVerification*>(X509_STORE_CTX_get_ex_data(ctx, store_ctx_index()));
  if (!self) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
    self = ssl ? static_cast<OriginVerification*>(SSL_get_ex_data(ssl, ex_data_index())) : nullptr;
  }
  return self ? self->on_verify(preverify_ok, ctx) : preverify_ok;
}

}  // namespace

void OriginVerification::attach(SSL* ssl) {
  SSL_set_ex_data(ssl, ex_data_index(), this);
  SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_trampoline);
}

int OriginVerification::on_verify(int preverify_ok, X509_STORE_CTX* ctx) {
  const bool enforce = enforcement_ == Enforcement::Enforce;
  const int depth = X509_STORE_CTX_get_error_depth(ctx);
  if (!preverify_ok) {
    findings_.push_back({Finding::Kind::Chain, X509_STORE_CTX_get_error(ctx), depth});
    return enforce ? 0 : 1;
  }
  if (depth != 0 || name_checked_) return 1;
  if (!check_name(X509_STORE_CTX_get_current_cert(ctx)) && enforce) {
    X509_STORE_CTX_set_error(ctx, X509_V_ERR_HOSTNAME_MISMATCH);
    return 0;
  }
  return 1;
}

bool OriginVerification::check_name(X509* leaf) {
  name_checked_ = true;
  if (leaf && match_certificate_name(certificate_names(leaf), identity_.check_name) != NameMatch::NoMatch) return true;
  findings_.push_back({Finding::Kind::Name, 0, 0});
  return false;
}

bool OriginVerification::after_handshake(SSL* ssl) {
  if (name_checked_ || SSL_session_reused(ssl)) return true;
  bool ok = check_name(SSL_get0_peer_certificate(ssl));
  return ok || enforcement_ == Enforcement::LogOnly;
}

bool OriginVerification::verify_offline(X509* leaf, const std::vector<X509*>& untrusted, const TrustStore& trust,
                                        int security_level, std::optional<std::time_t> at) {
  ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  STACK_OF(X509)* chain = sk_X509_new_null();
  for (X509* c : untrusted) sk_X509_push(chain, c);
  bool ok = ctx && X509_STORE_CTX_init(ctx.get(), trust.store(), leaf, chain) == 1;
  if (ok) {
    // What a TLS client's handshake sets: server purpose and trust, depth 7, the security level.
    X509_STORE_CTX_set_default(ctx.get(), "ssl_server");
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_depth(param, 7);
    X509_VERIFY_PARAM_set_auth_level(param, security_level);
    if (at) X509_VERIFY_PARAM_set_time(param, *at);
    X509_STORE_CTX_set_ex_data(ctx.get(), store_ctx_index(), this);
    X509_STORE_CTX_set_verify_cb(ctx.get(), verify_trampoline);
    ok = X509_verify_cert(ctx.get()) == 1;
  }
  sk_X509_free(chain);
  ERR_clear_error();
  if (!name_checked_ && (ok || enforcement_ == Enforcement::LogOnly)) ok = check_name(leaf) && ok;
  return ok && findings_.empty();
}

std::string finding_text(const Finding& finding, config::OpenSslText style) {
  return finding.kind == Finding::Kind::Name ? std::string("name not in certificate")
                                             : x509_error_text(finding.x509_error, style);
}

std::expected<void, std::string> configure_origin_context(SSL_CTX* ctx, const config::Expressway& settings,
                                                          const TrustStore& trust) {
  ERR_clear_error();
  SSL_CTX_set_security_level(ctx, settings.openssl_security_level);
  int max_version = settings.tls_max_version == "TLSv1.2" ? TLS1_2_VERSION : TLS1_3_VERSION;
  if (SSL_CTX_set_max_proto_version(ctx, max_version) != 1)
    return std::unexpected("cannot set the highest TLS version " + settings.tls_max_version);
  if (SSL_CTX_set_cipher_list(ctx, settings.ciphers.c_str()) != 1)
    return std::unexpected("the cipher string '" + settings.ciphers + "' selects no cipher");
  X509_STORE_up_ref(trust.store());
  SSL_CTX_set_cert_store(ctx, trust.store());
  SSL_CTX_set_verify_depth(ctx, 7);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  if (!settings.server_certificate.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, settings.server_certificate.c_str()) != 1)
      return std::unexpected(settings.server_certificate + ": not a PEM server certificate (" + ossl::take_error_text() + ")");
    if (SSL_CTX_use_PrivateKey_file(ctx, settings.server_private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
      const bool other_key = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
      const std::string detail = ossl::take_error_text();
      if (other_key) return std::unexpected(settings.server_private_key + ": not the key of " + settings.server_certificate);
      return std::unexpected(settings.server_private_key + ": not a PEM private key (" + detail + ")");
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
      return std::unexpected(settings.server_private_key + ": not the key of " + settings.server_certificate);
  }
  ERR_clear_error();
  return {};
}

}  // namespace mratls::verify
