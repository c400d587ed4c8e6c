#include "proxy/runtime_manager.hpp"

#include "config/load.hpp"

namespace mratls::proxy {
namespace {

// The log a reloaded configuration writes to: the one in force while its settings stay the
// same (a new one would reopen the file and lose nothing but order), else a new one.
std::expected<std::shared_ptr<logs::Log>, std::string> log_for(const config::Config& config, const Runtime& current) {
  const auto& log = current.log;
  if (log && log->settings().file == config.log.file && log->level() == config.log.level &&
      log->openssl_text() == config.log.openssl_text)
    return log;
  return logs::Log::open(config.log, config.expressway.system_name);
}

}  // namespace

std::string generation_line(const std::string& text, std::uint64_t generation) {
  return text + " (runtime generation " + std::to_string(generation) + ")";
}

RuntimeManager::RuntimeManager(std::shared_ptr<const Runtime> first, std::function<void(std::uint64_t)> follow)
    : follow_(std::move(follow)) {
  slot_.store(std::move(first));
}

void RuntimeManager::set_source(ConfigSource source) {
  std::lock_guard lock(mutex_);
  source_ = std::move(source);
}

void RuntimeManager::set_layer(Layer layer) {
  std::lock_guard lock(mutex_);
  layer_ = std::move(layer);
}

void RuntimeManager::on_current(std::function<void(const Runtime&)> listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void RuntimeManager::on_new_log(std::function<void(const std::shared_ptr<logs::Log>&)> listener) {
  std::lock_guard lock(mutex_);
  log_listener_ = std::move(listener);
}

std::expected<std::shared_ptr<const Runtime>, std::string> RuntimeManager::change(const Edit& edit) {
  std::lock_guard lock(mutex_);
  const auto current = slot_.load();
  auto next = edit(*current);
  if (!next) return std::unexpected(next.error());
  if (!*next) return current;
  return install(std::move(**next), *current);
}

std::expected<std::shared_ptr<const Runtime>, std::string> RuntimeManager::reload() {
  std::lock_guard lock(mutex_);
  if (source_.path.empty()) return std::unexpected("no configuration file to reload from");
  const auto current = slot_.load();
  auto config = config::load_config_file(source_.path);
  if (!config) return std::unexpected(config.error().to_string());
  if (source_.port_override >= 0) config->listen.port = static_cast<std::uint16_t>(source_.port_override);
  NextRuntime next;
  next.lines.push_back("[reload] NOTICE: configuration and trust store reloaded from " + source_.path);
  next.config = std::move(*config);
  if (layer_) {
    // The layer edits the trust store it is given: the file's, read here.
    auto trust = Runtime::load_trust(next.config);
    if (!trust) return std::unexpected(trust.error());
    next.trust = std::move(*trust);
    if (auto kept = layer_(next); !kept) return std::unexpected(kept.error());
  }
  return install(std::move(next), *current);
}

std::expected<std::shared_ptr<const Runtime>, std::string> RuntimeManager::install(NextRuntime next, const Runtime& current) {
  auto log = next.log;
  if (!log) {
    auto opened = log_for(next.config, current);
    if (!opened) return std::unexpected(opened.error());
    log = std::move(*opened);
  }
  auto built = next.trust ? Runtime::build(std::move(next.config), std::move(next.trust), log, current.outcomes)
                          : Runtime::build(std::move(next.config), log, current.outcomes);
  if (!built) return std::unexpected(built.error());
  auto runtime = std::move(*built);
  runtime->generation = current.generation + 1;
  if (log && log != current.log && log_listener_) log_listener_(log);
  if (log) {
    for (const auto& line : next.lines) log->write_now(generation_line(line, runtime->generation));
    log->flush();
  }
  std::shared_ptr<const Runtime> installed = std::move(runtime);
  slot_.store(installed);
  if (follow_) follow_(installed->generation);
  if (next.on_current) next.on_current();
  try {
    if (listener_) listener_(*installed);
  } catch (const std::exception& e) {
    if (installed->log) installed->log->write_now(generation_line("[admin] ERROR: the new state was not shown: " + std::string(e.what()), installed->generation));
  }
  return installed;
}

}  // namespace mratls::proxy
