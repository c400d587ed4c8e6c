// The emulator's switches besides the appliance's own command: the version it behaves as,
// Traffic Server's log-only mode and the cipher preference. A request names any subset; each
// value is checked before anything changes. Pure: values in, values out.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "config/config.hpp"
#include "verify/cipher_preference.hpp"

namespace mratls::control {

// The certificate the cipher string prefers, as OpenSSL reads it: one type for every reader.
using CipherPreference = verify::CertificatePreference;

struct SettingsChange {
  std::optional<config::Version> version;
  std::optional<config::VerifyOriginServer> verify_origin_server;
  // The cipher string the upgrade from this release would leave ("X12.7", "X14.0.7", "fresh"),
  // by the release notes' rules (verify/upgrade_path), applied to the configuration file's
  // string: what the site ran before the upgrade. The version stays as it is set.
  std::optional<std::string> upgraded_from;
  std::optional<CipherPreference> cipher_preference;
};

// {"version": "X14.0.7", "verify_origin_server": "log-only", "upgraded_from": "X12.7", "cipher_preference": "rsa"}.
// Unknown keys, wrong types and bad values are refused with the key and the accepted values.
std::expected<SettingsChange, std::string> parse_settings(const nlohmann::json& body);
// `key=value` words, as `mratls admin set` takes them, to the JSON the API takes.
std::expected<nlohmann::json, std::string> settings_json(const std::vector<std::string>& assignments);

// One setting that changed, as the log line and the state report name it.
struct Change {
  std::string setting;  // "VerifyOriginServer", "version", "cipher preference", "trust store"
  std::string before;
  std::string after;
};

CipherPreference cipher_preference_of(const config::Expressway& settings);
// The API's word for it: "ecdsa" | "rsa".
const char* api_word(CipherPreference p);

// Applies the change; only what differs is returned (an empty list changes nothing).
// `file_ciphers`: the configuration file's cipher string, which upgraded_from starts from; a
// string the rules cannot read is refused.
std::expected<std::vector<Change>, std::string> apply(const SettingsChange& change, config::Expressway& settings,
                                                      std::string_view file_ciphers);
std::vector<Change> apply(config::VerifyOriginServer value, config::Expressway& settings);

// The log line a change writes, which the runtime manager ends with the generation it makes:
// `[admin] NOTICE: VerifyOriginServer changed from "On" to "Off"` (runtime generation 7)`.
std::string change_text(const Change& change);

}  // namespace mratls::control
