#include "control/admin_changes.hpp"

namespace mratls::control {
namespace {

const std::string kLead = "[reload] NOTICE: ";

}  // namespace

void AdminChanges::record(const SettingsChange& change) {
  if (change.version) settings_.version = change.version;
  if (change.verify_origin_server) settings_.verify_origin_server = change.verify_origin_server;
  // An upgrade path replaces the whole string: a preference set before it no longer applies.
  if (change.upgraded_from) {
    settings_.upgraded_from = change.upgraded_from;
    settings_.cipher_preference.reset();
  }
  if (change.cipher_preference) settings_.cipher_preference = change.cipher_preference;
}

void AdminChanges::record_added(const verify::CertificateSummary& summary, std::string pem) {
  const auto key = fingerprint_key(summary.sha256);
  removed_.erase(key);
  added_[key] = {summary, std::move(pem)};
}

void AdminChanges::record_removed(const verify::CertificateSummary& summary) {
  const auto key = fingerprint_key(summary.sha256);
  added_.erase(key);
  removed_[key] = summary;
}

std::expected<AdminChanges::Kept, std::string> AdminChanges::reapply(config::Expressway& settings, TrustList& trust) {
  Kept kept;
  const std::string file_ciphers = settings.ciphers;
  // One setting at a time, so that one the file agrees with is forgotten alone; the upgrade
  // path before the preference, as they were set.
  // The upgrade path is a fact the admin stated, kept even when its string is the file's.
  auto put_back = [&](auto member, bool forget_when_same) -> std::expected<void, std::string> {
    auto& value = settings_.*member;
    if (!value) return {};
    SettingsChange one;
    one.*member = value;
    const auto changes = apply(one, settings, file_ciphers);
    if (!changes) return std::unexpected("the admin API's " + changes.error() + ", and it cannot be kept on top of the file");
    if (changes->empty() && forget_when_same) value.reset();
    for (const auto& c : *changes)
      kept.lines.push_back(kLead + c.setting + " kept at \"" + c.after + "\" as the admin API set it (the file says \"" +
                           c.before + "\")");
    return {};
  };
  if (auto r = put_back(&SettingsChange::version, true); !r) return std::unexpected(r.error());
  if (auto r = put_back(&SettingsChange::verify_origin_server, true); !r) return std::unexpected(r.error());
  if (auto r = put_back(&SettingsChange::upgraded_from, false); !r) return std::unexpected(r.error());
  if (auto r = put_back(&SettingsChange::cipher_preference, true); !r) return std::unexpected(r.error());

  for (auto it = removed_.begin(); it != removed_.end();) {
    if (trust.remove(it->first)) {
      kept.trust_changed = true;
      kept.lines.push_back(kLead + "trust store kept without " + certificate_words(it->second) + " as the admin API removed it");
      ++it;
    } else {
      it = removed_.erase(it);  // the file no longer has it either
    }
  }
  for (auto it = added_.begin(); it != added_.end();) {
    auto added = trust.add(it->second.pem);
    if (added) {
      kept.trust_changed = true;
      kept.lines.push_back(kLead + "trust store kept with " + certificate_words(it->second.summary) + " as the admin API added it");
      ++it;
    } else if (added.error().kind == TrustRefusal::Kind::AlreadyThere) {
      it = added_.erase(it);  // the file holds it now
    } else {
      return std::unexpected("the admin API added " + certificate_words(it->second.summary) +
                             " and it cannot be kept on top of the file: " + added.error().message);
    }
  }
  return kept;
}

std::vector<std::string> AdminChanges::describe() const {
  std::vector<std::string> out;
  if (settings_.version) out.push_back("version " + settings_.version->to_string());
  if (settings_.verify_origin_server) out.push_back(std::string("VerifyOriginServer ") + config::to_string(*settings_.verify_origin_server));
  if (settings_.upgraded_from) out.push_back("upgraded from " + *settings_.upgraded_from);
  if (settings_.cipher_preference) out.push_back(std::string("cipher preference ") + api_word(*settings_.cipher_preference));
  for (const auto& [key, a] : added_) out.push_back("trust store: added " + certificate_words(a.summary));
  for (const auto& [key, r] : removed_) out.push_back("trust store: removed " + certificate_words(r));
  return out;
}

}  // namespace mratls::control
