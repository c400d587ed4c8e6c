// What the admin API changes, and how: each accepted change goes through the proxy's
// RuntimeManager, as a SIGHUP reload does, which builds the next runtime generation from the
// one in force (requests in flight finish under the old one, the old generation's idle origin
// connections close) and writes one log line per setting changed before any request runs
// under it. A refused change leaves everything as it was. The controller also keeps what it
// changed (AdminChanges) and hands the manager a layer that puts it back on top of the file at
// every reload.
#pragma once

#include <expected>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/admin_changes.hpp"
#include "control/settings.hpp"
#include "proxy/server.hpp"
#include "verify/certificate_summary.hpp"

namespace mratls::control {

struct Refusal {
  enum class Kind { BadRequest, Conflict, NotFound };
  Kind kind = Kind::BadRequest;
  std::string message;
};

class Controller {
 public:
  explicit Controller(proxy::Server& server);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // The shell's answer: "OK" after a change, the `*c` lines after a read.
  std::expected<std::string, Refusal> xconfiguration(std::string_view command);
  std::expected<std::vector<Change>, Refusal> settings(const nlohmann::json& body);
  std::expected<std::vector<verify::CertificateSummary>, Refusal> trust_add(std::string_view pem);
  std::expected<verify::CertificateSummary, Refusal> trust_remove(std::string_view sha256);

  // GET /api/state, without the origins (the board adds them).
  nlohmann::json state() const;
  // GET /api/config: the configuration in force as YAML that `mratls serve --config` reads back
  // to the same runtime, the admin's changes included (a trust store it edited is written out
  // as the certificates themselves).
  std::string config_yaml() const;

 private:
  // What one request changes, computed from the runtime in force under the manager's lock.
  struct Edit {
    config::Config config;
    std::shared_ptr<const verify::TrustStore> trust;
    std::vector<Change> changes;
    AdminChanges record;  // what the controller keeps once the change is in force
  };
  // Runs `edit` through the manager; nothing changes when it or the build fails. Changing
  // nothing is no change: no generation, no line.
  std::expected<void, Refusal> commit(const std::function<std::expected<Edit, Refusal>(const proxy::Runtime&)>& edit);

  void keep(AdminChanges record);
  std::vector<std::string> admin_changes() const;
  nlohmann::json upgraded_from() const;  // the release, or null

  proxy::Server& server_;
  // Written only under the manager's lock (by a change in force), so edits and the reload
  // layer, which run under it, read it as it is; state() reads it under record_mutex_.
  AdminChanges changes_;
  mutable std::mutex record_mutex_;
  // The configuration file's cipher string, which upgraded_from starts from: read at start and
  // at each reload, under the manager's lock, as the edits that use it are.
  std::string file_ciphers_;
};

}  // namespace mratls::control
