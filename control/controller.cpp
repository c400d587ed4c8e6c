#include "control/controller.hpp"

#include <algorithm>

#include "config/config.hpp"
#include "config/save.hpp"
#include "control/trust_list.hpp"
#include "control/xconfiguration.hpp"

namespace mratls::control {
namespace {

// The PEM of the entry of `list` that `s` summarises.
std::string certificate_pem(const TrustList& list, const verify::CertificateSummary& s) {
  for (const auto& e : list.entries())
    if (e.summary.sha256 == s.sha256) return ossl::to_pem(e.cert.get());
  return {};
}

}  // namespace

Controller::Controller(proxy::Server& server) : server_(server), file_ciphers_(server.runtime()->config.expressway.ciphers) {
  // Each reload of the file puts the admin's changes back on top, in the same step.
  server_.runtimes().set_layer([this](proxy::NextRuntime& next) -> std::expected<void, std::string> {
    auto record = changes_;  // changed only once the reload is in force
    std::string file_ciphers = next.config.expressway.ciphers;
    auto trust = TrustList::of(*next.trust);
    auto kept = record.reapply(next.config.expressway, trust);
    if (!kept) return std::unexpected(kept.error());
    if (kept->trust_changed) next.trust = std::make_shared<const verify::TrustStore>(trust.store());
    next.lines.insert(next.lines.end(), kept->lines.begin(), kept->lines.end());
    next.on_current = [this, record = std::move(record), file_ciphers = std::move(file_ciphers)] {
      file_ciphers_ = file_ciphers;
      keep(record);
    };
    return {};
  });
}

Controller::~Controller() { server_.runtimes().set_layer({}); }

void Controller::keep(AdminChanges record) {
  std::lock_guard lock(record_mutex_);
  changes_ = std::move(record);
}

std::expected<void, Refusal> Controller::commit(const std::function<std::expected<Edit, Refusal>(const proxy::Runtime&)>& edit) {
  std::optional<Refusal> refused;  // the edit's own refusal, with its kind
  auto done = server_.runtimes().change(
      [&](const proxy::Runtime& current) -> std::expected<std::optional<proxy::NextRuntime>, std::string> {
        auto e = edit(current);
        if (!e) {
          refused = e.error();
          return std::unexpected(e.error().message);
        }
        if (e->changes.empty()) {
          // Nothing to build. An upgrade path whose string is the one in force is still what the
          // admin said the site came from: kept, so that the page shows it.
          if (e->record.upgraded_from() != changes_.upgraded_from()) keep(std::move(e->record));
          return std::nullopt;
        }
        proxy::NextRuntime next{std::move(e->config), std::move(e->trust), current.log, {}, {}};
        for (const auto& c : e->changes) next.lines.push_back(change_text(c));
        next.on_current = [this, record = std::move(e->record)] { keep(record); };
        return next;
      });
  if (refused) return std::unexpected(*refused);
  if (!done) return std::unexpected(Refusal{Refusal::Kind::BadRequest, "refused, nothing changed: " + done.error()});
  return {};
}

std::expected<std::string, Refusal> Controller::xconfiguration(std::string_view command) {
  auto parsed = parse_xconfiguration(command);
  if (!parsed) return std::unexpected(Refusal{Refusal::Kind::BadRequest, parsed.error()});
  if (std::holds_alternative<ReadEdgeConfigServer>(*parsed))
    return read_back(server_.runtime()->config.expressway.verify_origin_server);
  const auto value = std::get<SetVerifyOriginServer>(*parsed).value;
  auto ok = commit([&](const proxy::Runtime& current) -> std::expected<Edit, Refusal> {
    Edit e{current.config, current.trust, {}, changes_};
    e.changes = apply(value, e.config.expressway);
    SettingsChange set;
    set.verify_origin_server = value;
    e.record.record(set);
    return e;
  });
  if (!ok) return std::unexpected(ok.error());
  return "OK";
}

std::expected<std::vector<Change>, Refusal> Controller::settings(const nlohmann::json& body) {
  auto parsed = parse_settings(body);
  if (!parsed) return std::unexpected(Refusal{Refusal::Kind::BadRequest, parsed.error()});
  std::vector<Change> changes;
  auto ok = commit([&](const proxy::Runtime& current) -> std::expected<Edit, Refusal> {
    Edit e{current.config, current.trust, {}, changes_};
    auto applied = apply(*parsed, e.config.expressway, file_ciphers_);
    if (!applied) return std::unexpected(Refusal{Refusal::Kind::BadRequest, applied.error()});
    e.changes = std::move(*applied);
    e.record.record(*parsed);
    changes = e.changes;
    return e;
  });
  if (!ok) return std::unexpected(ok.error());
  return changes;
}

std::expected<std::vector<verify::CertificateSummary>, Refusal> Controller::trust_add(std::string_view pem) {
  std::vector<verify::CertificateSummary> added;
  auto ok = commit([&](const proxy::Runtime& current) -> std::expected<Edit, Refusal> {
    auto list = TrustList::of(*current.trust);
    auto more = list.add(pem);
    if (!more) {
      const bool conflict = more.error().kind != TrustRefusal::Kind::NotPem;
      return std::unexpected(Refusal{conflict ? Refusal::Kind::Conflict : Refusal::Kind::BadRequest, more.error().message});
    }
    Edit e{current.config, std::make_shared<const verify::TrustStore>(list.store()), {}, changes_};
    for (const auto& s : *more) {
      e.changes.push_back({"trust store", "", "added " + certificate_words(s)});
      e.record.record_added(s, certificate_pem(list, s));
    }
    added = *more;
    return e;
  });
  if (!ok) return std::unexpected(ok.error());
  return added;
}

std::expected<verify::CertificateSummary, Refusal> Controller::trust_remove(std::string_view sha256) {
  verify::CertificateSummary removed;
  auto ok = commit([&](const proxy::Runtime& current) -> std::expected<Edit, Refusal> {
    auto list = TrustList::of(*current.trust);
    auto gone = list.remove(sha256);
    if (!gone) return std::unexpected(Refusal{Refusal::Kind::NotFound, gone.error()});
    Edit e{current.config, std::make_shared<const verify::TrustStore>(list.store()),
           {{"trust store", certificate_words(*gone), "removed"}}, changes_};
    e.record.record_removed(*gone);
    removed = *gone;
    return e;
  });
  if (!ok) return std::unexpected(ok.error());
  return removed;
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
          {"cipher_preference", api_word(cipher_preference_of(e))},
          {"ciphers", e.ciphers},
          {"upgraded_from", upgraded_from()},
          {"generation", rt->generation},
          {"trust", std::move(trust)},
          {"admin_changes", admin_changes()}};
}

nlohmann::json Controller::upgraded_from() const {
  std::lock_guard lock(record_mutex_);
  return changes_.upgraded_from() ? nlohmann::json(*changes_.upgraded_from()) : nlohmann::json();
}

std::vector<std::string> Controller::admin_changes() const {
  std::lock_guard lock(record_mutex_);
  return changes_.describe();
}

std::string Controller::config_yaml() const {
  const auto rt = server_.runtime();
  auto config = rt->config;
  // A store the admin edited no longer matches the files: write out the certificates (none,
  // when every one was removed: the files always hold at least one).
  const auto& sources = rt->trust->sources();
  const bool edited = std::ranges::any_of(sources, [](const std::string& s) { return s.empty(); }) ||
                      (sources.empty() && !config.expressway.trusted_ca_certificates.empty());
  if (edited) {
    config.expressway.trusted_ca_certificates.clear();
    const auto list = TrustList::of(*rt->trust);
    for (const auto& entry : list.entries())
      config.expressway.trusted_ca_certificates.push_back(ossl::to_pem(entry.cert.get()));
  }
  return config::to_yaml(config);
}

}  // namespace mratls::control
