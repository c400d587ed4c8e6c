// What the admin API changes, and how: each accepted change builds a new runtime generation
// from the one in force, as SIGHUP does (requests in flight finish under the old one, the old
// generation's idle origin connections close), and writes one log line per setting changed.
// A refused change leaves everything as it was. The runtime in force is the only state: a
// SIGHUP reload in between is simply what the next change starts from.
#pragma once

#include <expected>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  explicit Controller(proxy::Server& server) : server_(server) {}

  // The shell's answer: "OK" after a change, the `*c` lines after a read.
  std::expected<std::string, Refusal> xconfiguration(std::string_view command);
  std::expected<std::vector<Change>, Refusal> settings(const nlohmann::json& body);
  std::expected<std::vector<verify::CertificateSummary>, Refusal> trust_add(std::string_view pem);
  std::expected<verify::CertificateSummary, Refusal> trust_remove(std::string_view sha256);

  // GET /api/state, without the origins (the board adds them).
  nlohmann::json state() const;

  // Called after every accepted change, with its changes (for the live event stream).
  void on_change(std::function<void(const std::vector<Change>&)> listener) { listener_ = std::move(listener); }

 private:
  // Builds and swaps in the next generation; nothing changes when the build fails.
  std::expected<void, Refusal> commit(config::Config config, std::shared_ptr<const verify::TrustStore> trust,
                                      const std::vector<Change>& changes);

  proxy::Server& server_;
  std::mutex mutex_;  // one change at a time
  std::function<void(const std::vector<Change>&)> listener_;
};

}  // namespace mratls::control
