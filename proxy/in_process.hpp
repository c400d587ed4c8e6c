// The proxy started inside the current process on an ephemeral port, its lines collected in
// memory: what `mratls lab` runs and what the integration tests drive.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "logs/collecting_sink.hpp"
#include "logs/log.hpp"
#include "proxy/outcome_record.hpp"
#include "proxy/server.hpp"

namespace mratls::proxy {

class InProcessProxy {
 public:
  static std::expected<std::unique_ptr<InProcessProxy>, std::string> start(config::Config config);
  ~InProcessProxy();

  std::uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }
  logs::CollectingSink& sink() { return *sink_; }
  const std::shared_ptr<logs::Log>& log() const { return log_; }
  // The typed outcome of each failed request, by TrackingID.
  const OutcomeRecord& outcomes() const { return *outcomes_; }
  // Waits for the Sending Response line of the n-th response (1-based) since start.
  bool wait_for_response(std::size_t n);

 private:
  InProcessProxy() = default;
  std::shared_ptr<logs::CollectingSink> sink_;
  std::shared_ptr<logs::Log> log_;
  std::shared_ptr<OutcomeRecord> outcomes_ = std::make_shared<OutcomeRecord>();
  std::unique_ptr<Server> server_;
};

}  // namespace mratls::proxy
