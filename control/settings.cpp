#include "control/settings.hpp"

#include <nlohmann/json.hpp>

#include "config/ascii.hpp"
#include "verify/cipher_preference.hpp"
#include "verify/upgrade_path.hpp"

namespace mratls::control {
namespace {

constexpr const char* kKeys = "version, verify_origin_server, upgraded_from, cipher_preference";

std::expected<std::string, std::string> string_value(const nlohmann::json& body, const std::string& key) {
  const auto& v = body.at(key);
  if (!v.is_string()) return std::unexpected(key + ": expected a string, got " + v.dump());
  return v.get<std::string>();
}

std::optional<config::VerifyOriginServer> verify_value(std::string_view text) {
  if (ascii::iequals(text, "on")) return config::VerifyOriginServer::On;
  if (ascii::iequals(text, "off")) return config::VerifyOriginServer::Off;
  if (ascii::iequals(text, "log-only")) return config::VerifyOriginServer::LogOnly;
  return std::nullopt;
}

}  // namespace

std::expected<SettingsChange, std::string> parse_settings(const nlohmann::json& body) {
  if (!body.is_object()) return std::unexpected("expected a JSON object of settings (" + std::string(kKeys) + ")");
  if (body.empty()) return std::unexpected("no setting given (" + std::string(kKeys) + ")");
  SettingsChange change;
  for (const auto& [key, value] : body.items()) {
    auto text = string_value(body, key);
    if (key != "version" && key != "verify_origin_server" && key != "upgraded_from" && key != "cipher_preference")
      return std::unexpected("unknown setting \"" + key + "\" (settings: " + kKeys + ")");
    if (!text) return std::unexpected(text.error());
    if (key == "version") {
      change.version = config::parse_version(*text);
      if (!change.version) return std::unexpected("version: \"" + *text + "\" is not a version (like X14.2.0)");
    } else if (key == "upgraded_from") {
      // The release is checked here; the string it yields, once the file's is at hand.
      auto path = verify::upgrade_path(*text, config::kDefaultCiphers);
      if (!path) return std::unexpected("upgraded_from: " + path.error().message);
      change.upgraded_from = *text;
    } else if (key == "verify_origin_server") {
      change.verify_origin_server = verify_value(*text);
      if (!change.verify_origin_server)
        return std::unexpected("verify_origin_server: \"" + *text + "\" is not one of on, off, log-only");
    } else {
      if (ascii::iequals(*text, "ecdsa")) change.cipher_preference = CipherPreference::Ecdsa;
      else if (ascii::iequals(*text, "rsa")) change.cipher_preference = CipherPreference::Rsa;
      else return std::unexpected("cipher_preference: \"" + *text + "\" is not one of ecdsa, rsa");
    }
  }
  return change;
}

std::expected<nlohmann::json, std::string> settings_json(const std::vector<std::string>& assignments) {
  auto body = nlohmann::json::object();
  for (const auto& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) return std::unexpected("\"" + a + "\": expected key=value (keys: " + kKeys + ")");
    body[a.substr(0, eq)] = a.substr(eq + 1);
  }
  if (body.empty()) return std::unexpected(std::string("no setting given (keys: ") + kKeys + ")");
  return body;
}

CipherPreference cipher_preference_of(const config::Expressway& settings) {
  return verify::certificate_preference(settings.ciphers).value_or(CipherPreference::Ecdsa);
}

const char* api_word(CipherPreference p) { return p == CipherPreference::Rsa ? "rsa" : "ecdsa"; }

std::expected<std::vector<Change>, std::string> apply(const SettingsChange& change, config::Expressway& settings,
                                                      std::string_view file_ciphers) {
  std::vector<Change> changes;
  if (change.version && *change.version != settings.version) {
    changes.push_back({"version", settings.version.to_string(), change.version->to_string()});
    settings.version = *change.version;
  }
  if (change.verify_origin_server) {
    auto more = apply(*change.verify_origin_server, settings);
    changes.insert(changes.end(), more.begin(), more.end());
  }
  if (change.upgraded_from) {
    auto path = verify::upgrade_path(*change.upgraded_from, file_ciphers);
    if (!path)
      return std::unexpected((path.error().input == verify::UpgradePathError::Input::From
                                  ? "upgraded_from: "
                                  : "upgraded_from starts from the configuration file's expressway.ciphers, and ") +
                             path.error().message);
    if (path->ciphers_after != settings.ciphers) {
      changes.push_back({"cipher string (upgraded from " + path->from_text() + ")", settings.ciphers, path->ciphers_after});
      settings.ciphers = path->ciphers_after;
    }
  }
  if (change.cipher_preference && *change.cipher_preference != cipher_preference_of(settings)) {
    changes.push_back({"cipher preference", api_word(cipher_preference_of(settings)), api_word(*change.cipher_preference)});
    // The prefix added or taken off; a string whose own terms keep its preference gives way to the default.
    settings.ciphers = verify::preferring(settings.ciphers, *change.cipher_preference).ciphers;
  }
  return changes;
}

std::vector<Change> apply(config::VerifyOriginServer value, config::Expressway& settings) {
  if (value == settings.verify_origin_server) return {};
  Change c{"VerifyOriginServer", config::to_string(settings.verify_origin_server), config::to_string(value)};
  settings.verify_origin_server = value;
  return {c};
}

std::string change_text(const Change& change) {
  return "[admin] NOTICE: " + change.setting + " changed from \"" + change.before + "\" to \"" + change.after + "\"";
}

}  // namespace mratls::control
