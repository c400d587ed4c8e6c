// What X14.2 will run with at this site: the cipher string an upgrade leaves, from the version
// it upgrades from and the string in force before, by the rules of the X14.2.1 release notes:
//  - from a version below X14.0 the string stays as it is (the default lists ECDSA first);
//  - from X14.0 or later ECDHE-RSA-AES256-GCM-SHA384: is prepended, so RSA is preferred;
//  - a fresh X14.2 install runs the default string.
// And the ways the field steers a dual-certificate origin away from its ECDSA certificate.
// Pure functions over values; OpenSSL reads the strings (certificate_preference) and nothing else.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/version.hpp"
#include "verify/cipher_preference.hpp"

namespace mratls::verify {

struct UpgradePath {
  std::optional<config::Version> from;  // none: a fresh install
  std::string ciphers_before;           // the string in force before the upgrade
  std::string ciphers_after;            // the string X14.2 runs with
  std::string rule;                     // the rule that produced it, in words
  CertificatePreference preference_after = CertificatePreference::Ecdsa;
  // A string that prefers the other certificate, for the risk "if the cipher string changes":
  // the prefix added to or taken off the string after, or, when that does not turn the
  // preference (a string with !ECDSA or :+ECDSA), the appliance's default.
  std::string ciphers_if_changed;
  std::string changed_how;  // "the prefix added" | "the prefix removed" | "back to the default string"
  // From X14.0 or later with a string that is not the default: the release notes speak of the
  // default list, so whether the prefix is prepended to this one is not known, and check judges
  // both, prefixed (ciphers_after) and kept as it is (ciphers_before).
  bool custom_string = false;

  // "X12.7.0 to X14.2", "a fresh X14.2 install".
  std::string path_text() const { return from ? from->to_string() + " to X14.2" : std::string("a fresh X14.2 install"); }
  // "X12.7.0", "a fresh install".
  std::string from_text() const { return from ? from->to_string() : std::string("a fresh install"); }
};

// Which input is at fault, so that each caller names it its own way (--from, upgraded_from).
struct UpgradePathError {
  enum class Input { From, Ciphers };
  Input input;
  std::string message;
};

// `from`: a release before X14.2 ("X12.7", "X14.0.7") or "fresh". `current`: the cipher string
// in force (the default when the site never changed it).
std::expected<UpgradePath, UpgradePathError> upgrade_path(std::string_view from, std::string_view current);

// A way of steering away from ECDSA that the Cisco notes give, as the cipher string it makes
// from the one after the upgrade; the trust store one changes no string (`ciphers` empty).
struct Alternative {
  enum class Kind { Prepend, AppendPlusEcdsa, NotEcdsa, TrustSigner };
  Kind kind;
  std::string id;    // "prepend" | "append-plus-ecdsa" | "not-ecdsa" | "trust-signer", for JSON
  std::string name;  // as the report names it
  std::string ciphers;
};
std::vector<Alternative> steering_alternatives(const std::string& ciphers_after);

}  // namespace mratls::verify
