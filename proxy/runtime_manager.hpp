// The one owner of the runtime in force. A SIGHUP reload of the configuration file and every
// change made through the admin API go through it, one at a time, so that none can overwrite
// another that was already announced. For each change, in this order:
//   1. the next runtime is built from the one in force (a failure changes nothing);
//   2. it is numbered: generation N+1, where N is the generation in force;
//   3. its lines are written, and flushed past every thread's buffer, ending
//      "(runtime generation N+1)": the cause is in the log before any effect;
//   4. it becomes current, and every event thread's origin pool is told to follow it.
// A reload re-applies on top of the file what a layer (the admin API's record of its changes)
// asks for, in the same step, so a SIGHUP never silently throws those changes away.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "proxy/runtime.hpp"
#include "proxy/runtime_slot.hpp"

namespace mratls::proxy {

// What a change proposes, before it is built and numbered.
struct NextRuntime {
  config::Config config;
  // Null: the configuration's trusted_ca_certificates are read.
  std::shared_ptr<const verify::TrustStore> trust;
  // Null: the log in force.
  std::shared_ptr<logs::Log> log;
  // Each announced as written, with " (runtime generation N)" after it.
  std::vector<std::string> lines;
  // Run once the runtime is current, before the next change can start.
  std::function<void()> on_current;
};

// Where a reload reads the configuration from: `mratls serve --config FILE [--port N]`.
struct ConfigSource {
  std::string path;
  int port_override = -1;
};

class RuntimeManager {
 public:
  // `follow` tells every origin pool that a generation is now in force.
  RuntimeManager(std::shared_ptr<const Runtime> first, std::function<void(std::uint64_t)> follow);
  RuntimeManager(const RuntimeManager&) = delete;
  RuntimeManager& operator=(const RuntimeManager&) = delete;

  // The runtime in force: what a request reads at its start.
  std::shared_ptr<const Runtime> current() const { return slot_.load(); }

  // Builds the next runtime from what `edit` proposes over the one in force, under the lock, and
  // returns the runtime in force after it. An edit that proposes nothing (nullopt) leaves the
  // one in force; an error (from the edit or the build) changes nothing and is returned.
  using Edit = std::function<std::expected<std::optional<NextRuntime>, std::string>(const Runtime& current)>;
  std::expected<std::shared_ptr<const Runtime>, std::string> change(const Edit& edit);

  // Reads the source file again, with its trust store, and re-applies the layer on top.
  void set_source(ConfigSource source);
  std::expected<std::shared_ptr<const Runtime>, std::string> reload();

  // What a reload puts back on top of the file; it may add lines or refuse the reload.
  using Layer = std::function<std::expected<void, std::string>(NextRuntime& next)>;
  void set_layer(Layer layer);
  // Called with each runtime that becomes current, under the lock, in generation order. What it
  // throws is written to the log as an ERROR line and goes no further: the change stands.
  void on_current(std::function<void(const Runtime&)> listener);
  // Called with the log a change opens (a reload that names another log file), under the lock,
  // before the change's lines are written to it: the live view sees them too.
  void on_new_log(std::function<void(const std::shared_ptr<logs::Log>&)> listener);

 private:
  std::expected<std::shared_ptr<const Runtime>, std::string> install(NextRuntime next, const Runtime& current);

  mutable std::mutex mutex_;  // one change at a time; the slot has its own lock for readers
  RuntimeSlot slot_;
  std::function<void(std::uint64_t)> follow_;
  ConfigSource source_;
  Layer layer_;
  std::function<void(const Runtime&)> listener_;
  std::function<void(const std::shared_ptr<logs::Log>&)> log_listener_;
};

// The line that announces a change: the text, then " (runtime generation N)".
std::string generation_line(const std::string& text, std::uint64_t generation);

}  // namespace mratls::proxy
