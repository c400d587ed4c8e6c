// The proxy started inside the current process on an ephemeral port, its lines collected in
// memory: what `mratls lab` runs and what the integration tests drive.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "lab/collecting_sink.hpp"
#include "logs/log.hpp"
#include "proxy/outcome_record.hpp"
#include "proxy/server.hpp"

namespace mratls::lab {

class InProcessProxy {
 public:
  static std::expected<std::unique_ptr<InProcessProxy>, std::string> start(config::Config config);
  ~InProcessProxy();

  std::uint16_t port() const { return server_->port(); }
  proxy::Server& server() { return *server_; }
  CollectingSink& sink() { return *sink_; }
  const std::shared_ptr<logs::Log>& log() const { return log_; }
  // The typed outcome of each failed request, by TrackingID.
  const proxy::OutcomeRecord& outcomes() const { return *outcomes_; }
  // Waits for the Sending Response line of the n-th response (1-based) since start.
  bool wait_for_response(std::size_t n);

 private:
  InProcessProxy() = default;
  std::shared_ptr<CollectingSink> sink_;
  std::shared_ptr<logs::Log> log_;
  std::shared_ptr<proxy::OutcomeRecord> outcomes_ = std::make_shared<proxy::OutcomeRecord>();
  std::unique_ptr<proxy::Server> server_;
};

}  // namespace mratls::lab
