// What the admin API has changed since the configuration file was last read: the last value
// it set for each setting, and the certificates it added to or removed from the trust store.
// A SIGHUP reload reads the file again and puts these back on top, each with a line that says
// so (docs/configuration.md, "Reloading"); one the file now agrees with is forgotten. Pure:
// values in, values out.
#pragma once

#include <expected>
#include <map>
#include <string>
#include <vector>

#include "control/settings.hpp"
#include "control/trust_list.hpp"

namespace mratls::control {

class AdminChanges {
 public:
  // Each setting the change names replaces what was recorded for it.
  void record(const SettingsChange& change);
  void record_added(const verify::CertificateSummary& summary, std::string pem);
  void record_removed(const verify::CertificateSummary& summary);

  // Puts the recorded changes back on top of settings and a trust list read from the file.
  // Returns the lines that say what was kept, and leaves in `*this` only what still differs
  // from the file. A certificate the admin added whose CN the file now holds under another
  // certificate cannot be put back (CSCwa12905): that refuses the reload.
  struct Kept {
    std::vector<std::string> lines;
    bool trust_changed = false;  // the trust list differs from the file's
  };
  std::expected<Kept, std::string> reapply(config::Expressway& settings, TrustList& trust);

  bool empty() const {
    return !settings_.version && !settings_.verify_origin_server && !settings_.upgraded_from && !settings_.cipher_preference &&
           added_.empty() && removed_.empty();
  }
  // The release the admin API last said the site upgraded from, if it is still in force.
  const std::optional<std::string>& upgraded_from() const { return settings_.upgraded_from; }
  // One phrase per change, for GET /api/state: "VerifyOriginServer Off", "trust store: added CN=…".
  std::vector<std::string> describe() const;

 private:
  struct Added {
    verify::CertificateSummary summary;
    std::string pem;
  };
  SettingsChange settings_;
  std::map<std::string, Added> added_;                          // by fingerprint key
  std::map<std::string, verify::CertificateSummary> removed_;  // by fingerprint key
};

}  // namespace mratls::control
