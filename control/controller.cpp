#include "control/controller.hpp"

#include "config/config.hpp"
#include "control/trust_list.hpp"
#include "control/xconfiguration.hpp"

namespace mratls::control {
namespace {

std::string certificate_words(const verify::CertificateSummary& s) { return s.subject + " (SHA-256 " + s.sha256 + ")"; }

}  // namespace

std::expected<void, Refusal> Controller::commit(config::Config config, std::shared_ptr<const verify::TrustStore> trust,
                                                const std::vector<Change>& changes) {
  if (changes.empty()) return {};
  const auto current = server_.runtime();
  auto next = proxy::Runtime::build(std::move(config), std::move(trust), current->log, current->outcomes);
  if (!next) return std::unexpected(Refusal{Refusal::Kind::BadRequest, "refused, nothing changed: " + next.error()});
  const auto generation = (*next)->generation;
  // The cause before its effect: the change lines are in the log (flushed past every thread's
  // buffer) before any request can run under the new generation.
  for (const auto& c : changes) current->log->write_now(change_line(c, generation));
  current->log->flush();
  server_.reload(*next);
  if (listener_) listener_(changes);
  return {};
}

std::expected<std::string, Refusal> Controller::xconfiguration(std::string_view command) {
  auto parsed = parse_xconfiguration(command);
  if (!parsed) return std::unexpected(Refusal{Refusal::Kind::BadRequest, parsed.error()});
  std::lock_guard lock(mutex_);
  const auto current = server_.runtime();
  if (std::holds_alternative<ReadEdgeConfigServer>(*parsed)) return read_back(current->config.expressway.verify_origin_server);
  auto config = current->config;
  auto changes = apply(std::get<SetVerifyOriginServer>(*parsed).value, config.expressway);
  if (auto ok = commit(std::move(config), current->trust, changes); !ok) return std::unexpected(ok.error());
  return "OK";
}

std::expected<std::vector<Change>, Refusal> Controller::settings(const nlohmann::json& body) {
  auto parsed = parse_settings(body);
  if (!parsed) return std::unexpected(Refusal{Refusal::Kind::BadRequest, parsed.error()});
  std::lock_guard lock(mutex_);
  const auto current = server_.runtime();
  auto config = current->config;
  auto changes = apply(*parsed, config.expressway);
  if (auto ok = commit(std::move(config), current->trust, changes); !ok) return std::unexpected(ok.error());
  return changes;
}

std::expected<std::vector<verify::CertificateSummary>, Refusal> Controller::trust_add(std::string_view pem) {
  std::lock_guard lock(mutex_);
  const auto current = server_.runtime();
  auto list = TrustList::of(*current->trust);
  auto added = list.add(pem);
  if (!added) {
    const bool conflict = added.error().kind != TrustRefusal::Kind::NotPem;
    return std::unexpected(Refusal{conflict ? Refusal::Kind::Conflict : Refusal::Kind::BadRequest, added.error().message});
  }
  std::vector<Change> changes;
  for (const auto& s : *added) changes.push_back({"trust store", "", "added " + certificate_words(s)});
  auto ok = commit(current->config, std::make_shared<const verify::TrustStore>(list.store()), changes);
  if (!ok) return std::unexpected(ok.error());
  return *added;
}

std::expected<verify::CertificateSummary, Refusal> Controller::trust_remove(std::string_view sha256) {
  std::lock_guard lock(mutex_);
  const auto current = server_.runtime();
  auto list = TrustList::of(*current->trust);
  auto removed = list.remove(sha256);
  if (!removed) return std::unexpected(Refusal{Refusal::Kind::NotFound, removed.error()});
  auto ok = commit(current->config, std::make_shared<const verify::TrustStore>(list.store()),
                   {{"trust store", certificate_words(*removed), "removed"}});
  if (!ok) return std::unexpected(ok.error());
  return *removed;
}

nlohmann::json Controller::state() const {
  const auto rt = server_.runtime();
  const auto& e = rt->config.expressway;
  nlohmann::json trust = nlohmann::json::array();
  const auto list = TrustList::of(*rt->trust);
  for (const auto& entry : list.entries())
    trust.push_back(trusted_json(entry.summary));
  return {{"system_name", e.system_name},
          {"version", e.version.to_string()},
          {"verify_origin_server", config::yaml_value(e.verify_origin_server)},
          {"cipher_preference", to_string(cipher_preference_of(e))},
          {"ciphers", e.ciphers},
          {"generation", rt->generation},
          {"trust", std::move(trust)}};
}

}  // namespace mratls::control
