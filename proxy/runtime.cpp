#include "proxy/runtime.hpp"

#include "verify/cipher_preference.hpp"

#include <map>

#include "config/ascii.hpp"
#include "config/load.hpp"
#include "verify/doctor/trust_store_audit.hpp"

namespace mratls::proxy {

std::expected<std::shared_ptr<const verify::TrustStore>, std::string> Runtime::load_trust(const config::Config& config) {
  auto trust = verify::TrustStore::load(config.expressway.trusted_ca_certificates);
  if (!trust) {
    auto located = config::located(config, trust.error());
    return std::unexpected(located == trust.error() ? "trust store: " + located : located);
  }
  if (auto refusal = verify::doctor::one_cn_refusal(verify::doctor::store_entries(*trust)))
    return std::unexpected("trust store: " + *refusal);
  return std::make_shared<const verify::TrustStore>(std::move(*trust));
}

std::expected<std::shared_ptr<Runtime>, std::string> Runtime::build(config::Config config, std::shared_ptr<logs::Log> log,
                                                                    std::shared_ptr<OutcomeRecord> outcomes) {
  auto trust = load_trust(config);
  if (!trust) return std::unexpected(trust.error());
  return build(std::move(config), std::move(*trust), std::move(log), std::move(outcomes));
}

std::expected<std::shared_ptr<Runtime>, std::string> Runtime::build(config::Config config,
                                                                    std::shared_ptr<const verify::TrustStore> trust,
                                                                    std::shared_ptr<logs::Log> log,
                                                                    std::shared_ptr<OutcomeRecord> outcomes) {
  auto rt = std::make_shared<Runtime>();
  rt->origin_tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  if (auto ok = verify::configure_origin_context(rt->origin_tls->native_handle(), config.expressway, *trust); !ok) {
    auto located = config::located(config, ok.error());
    return std::unexpected(located == ok.error() ? config.source + ": expressway: " + located : located);
  }
  SSL_CTX_set_session_cache_mode(rt->origin_tls->native_handle(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  if (const auto path = keylog_path(config.log.keylog_file); !path.empty()) {
    auto keylog = KeyLog::open(path);
    if (!keylog) return std::unexpected(keylog.error());
    rt->keylog = std::move(*keylog);
    rt->keylog->attach(rt->origin_tls->native_handle());
  }
  auto allow_list = AllowList::from_config(config);
  if (!allow_list) return std::unexpected(config.source + ": " + allow_list.error());
  rt->allow_list = std::move(*allow_list);
  // Host names compare case-insensitively: the map is kept in the lower case lookups use.
  std::map<std::string, std::string> hosts;
  for (auto& [name, address] : config.hosts) hosts[ascii::to_lower(name)] = std::move(address);
  config.hosts = std::move(hosts);
  // The string configured the context above: OpenSSL accepts it, so it prefers one of the two
  // (a string that offers neither has been refused by then).
  rt->preference = verify::certificate_preference(config.expressway.ciphers).value_or(verify::CertificatePreference::Ecdsa);
  if (auto offered = verify::offered_authentication(config.expressway.ciphers)) rt->offered = *offered;
  rt->trusted_certificates = trust->certificates().size();
  rt->trust_entries = verify::doctor::store_entries(*trust);
  rt->trust = std::move(trust);
  rt->config = std::move(config);
  rt->log = std::move(log);
  rt->outcomes = std::move(outcomes);
  return rt;
}

}  // namespace mratls::proxy
