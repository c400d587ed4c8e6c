// Everything a request reads, built once from a configuration and swapped whole on reload:
// sessions hold a snapshot for the length of a request.
#pragma once

#include <asio/ssl/context.hpp>

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "logs/log.hpp"
#include "proxy/allow_list.hpp"
#include "proxy/key_log.hpp"
#include "proxy/outcome_record.hpp"
#include "verify/doctor/trust_store_audit.hpp"
#include "verify/origin_verification.hpp"
#include "verify/trust_store.hpp"

namespace mratls::proxy {

struct Runtime {
  config::Config config;
  AllowList allow_list{{}};
  std::shared_ptr<logs::Log> log;
  std::shared_ptr<KeyLog> keylog;  // null unless keys are written; outlives origin_tls, which points at it
  std::unique_ptr<asio::ssl::context> origin_tls;
  // Numbered by the RuntimeManager when it becomes current (the first one in force is 1):
  // pooled connections of an older generation are not reused.
  std::uint64_t generation = 1;
  std::size_t trusted_certificates = 0;
  std::shared_ptr<const verify::TrustStore> trust;  // what the origin context verifies against
  // Its certificates as the doctor's facts, read once: a refused chain is explained from them.
  std::vector<verify::doctor::StoreEntry> trust_entries;
  // Where each failed request's facts go, when someone keeps them (the lab); else null.
  std::shared_ptr<OutcomeRecord> outcomes;
  // The certificate the cipher string makes a dual RSA/ECDSA origin present, as OpenSSL reads it:
  // read once, with the string.
  verify::CertificatePreference preference = verify::CertificatePreference::Ecdsa;
  // The certificate types it offers a TLS 1.2 node (a fact of every diagnosis).
  std::optional<verify::Offered> offered;

  bool verifies() const { return config.expressway.verifies_per_request(); }
  verify::Enforcement enforcement() const {
    return config.expressway.verify_origin_server == config::VerifyOriginServer::LogOnly ? verify::Enforcement::LogOnly
                                                                                         : verify::Enforcement::Enforce;
  }

  // Loads the trust store and prepares the origin TLS context; errors name the file at fault.
  static std::expected<std::shared_ptr<Runtime>, std::string> build(config::Config config, std::shared_ptr<logs::Log> log,
                                                                    std::shared_ptr<OutcomeRecord> outcomes = nullptr);
  // The same over a trust store already built (the admin API edits it in memory): the
  // configuration's trusted_ca_certificates are not read.
  static std::expected<std::shared_ptr<Runtime>, std::string> build(config::Config config,
                                                                    std::shared_ptr<const verify::TrustStore> trust,
                                                                    std::shared_ptr<logs::Log> log,
                                                                    std::shared_ptr<OutcomeRecord> outcomes = nullptr);
  // The configuration's trust store (its files and inline certificates), with the appliance's
  // one-certificate-per-CN rule; errors name the file and line at fault.
  static std::expected<std::shared_ptr<const verify::TrustStore>, std::string> load_trust(const config::Config& config);
};

}  // namespace mratls::proxy
