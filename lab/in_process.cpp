#include "lab/in_process.hpp"

#include "logs/line_format.hpp"

namespace mratls::lab {

std::expected<std::unique_ptr<InProcessProxy>, std::string> InProcessProxy::start(config::Config config) {
  std::unique_ptr<InProcessProxy> p(new InProcessProxy());
  p->sink_ = std::make_shared<CollectingSink>();
  p->log_ = logs::Log::over_sink(p->sink_, config.log, config.expressway.system_name);
  auto rt = proxy::Runtime::build(std::move(config), p->log_, p->outcomes_);
  if (!rt) return std::unexpected(rt.error());
  p->server_ = std::make_unique<proxy::Server>(*rt);
  if (auto ok = p->server_->listen(); !ok) return std::unexpected(ok.error());
  p->server_->start();
  return p;
}

InProcessProxy::~InProcessProxy() {
  if (!server_) return;
  server_->stop();
  server_->wait();
  log_->flush();
}

bool InProcessProxy::wait_for_response(std::size_t n) {
  bool ok = sink_->wait_for_count(std::string(logs::words::kSendingResponseField), n);
  log_->flush();
  return ok;
}

}  // namespace mratls::lab
