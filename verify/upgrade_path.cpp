#include "verify/upgrade_path.hpp"

#include "config/ascii.hpp"
#include "config/config.hpp"

namespace mratls::verify {
namespace {

// Expressway releases start at X8.1; X14.2 is where origin verification begins.
constexpr config::Version kFirstRelease{8, 1, 0};
constexpr config::Version kVerifyingRelease{14, 2, 0};
constexpr config::Version kPrefixingRelease{14, 0, 0};

std::string preference_words(CertificatePreference p) {
  return p == CertificatePreference::Ecdsa ? "ECDSA is preferred" : "RSA is preferred";
}

}  // namespace

std::expected<UpgradePath, UpgradePathError> upgrade_path(std::string_view from, std::string_view current) {
  using Input = UpgradePathError::Input;
  if (current.empty())
    return std::unexpected(UpgradePathError{Input::Ciphers, "the cipher string is empty: give the one in force, or none for the appliance's default"});
  UpgradePath path;
  path.ciphers_before = std::string(current);
  if (ascii::iequals(from, "fresh")) {
    path.ciphers_after = config::kDefaultCiphers;
    path.rule = "a fresh X14.2 install runs the default cipher string (the one in force today does not carry over)";
  } else {
    const auto version = config::parse_version(from);
    if (!version || *version < kFirstRelease)
      return std::unexpected(UpgradePathError{
          Input::From, "'" + std::string(from) + "' is not an Expressway release: give the version the site runs, such as X12.7 or X14.0.7, or 'fresh'"});
    if (*version >= kVerifyingRelease)
      return std::unexpected(UpgradePathError{
          Input::From, version->to_string() + " verifies origins already: there is no upgrade to X14.2 from it to judge"});
    path.from = *version;
    if (*version < kPrefixingRelease) {
      path.ciphers_after = path.ciphers_before;
      path.rule = "upgrading from " + version->to_string() + ", below X14.0, leaves the cipher string as it is";
    } else if (has_rsa_first_prefix(path.ciphers_before)) {
      path.ciphers_after = path.ciphers_before;
      path.rule = "upgrading from " + version->to_string() + ", X14.0 or later, prepends '" + std::string(kRsaFirstPrefix) +
                  "' — the string begins with it already and stays as it is";
    } else {
      path.ciphers_after = rsa_first(path.ciphers_before);
      path.rule = "upgrading from " + version->to_string() + ", X14.0 or later, prepends '" + std::string(kRsaFirstPrefix) + "'";
      if (path.ciphers_before != config::kDefaultCiphers) {
        path.custom_string = true;
        path.rule += " to the default string; the string in force is not the default, so both outcomes are judged, prefixed "
                     "and kept as it is";
      }
    }
  }
  auto preference = certificate_preference(path.ciphers_after);
  if (!preference) return std::unexpected(UpgradePathError{Input::Ciphers, preference.error()});
  path.preference_after = *preference;
  path.rule += ": " + preference_words(*preference);
  const auto other = preferring(path.ciphers_after, *preference == CertificatePreference::Ecdsa ? CertificatePreference::Rsa
                                                                                                  : CertificatePreference::Ecdsa);
  path.ciphers_if_changed = other.ciphers;
  path.changed_how = other.how;
  return path;
}

std::vector<Alternative> steering_alternatives(const std::string& ciphers_after) {
  using K = Alternative::Kind;
  return {
      {K::Prepend, "prepend", "prepend " + std::string(kRsaFirstPrefix), rsa_first(ciphers_after)},
      {K::AppendPlusEcdsa, "append-plus-ecdsa", "append :+ECDSA", ciphers_after + ":+ECDSA"},
      {K::NotEcdsa, "not-ecdsa", "add !ECDSA", ciphers_after + ":!ECDSA"},
      {K::TrustSigner, "trust-signer", "trust the certificate that signed tomcat-ECDSA", ""},
  };
}

}  // namespace mratls::verify
