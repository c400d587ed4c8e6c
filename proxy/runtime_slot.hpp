// The runtime in force, swapped whole on reload and read at the start of every request.
// A mutex rather than std::atomic<std::shared_ptr>: libstdc++ 12 implements that with a lock
// bit whose release, after a load, is relaxed, so a reload's write of the pointer is not
// ordered after an event thread's read of it (ThreadSanitizer reports the race). Uncontended,
// the mutex costs about what the lock bit does.
#pragma once

#include <memory>
#include <mutex>

namespace mratls::proxy {

struct Runtime;

class RuntimeSlot {
 public:
  std::shared_ptr<const Runtime> load() const {
    std::lock_guard lock(mutex_);
    return runtime_;
  }
  void store(std::shared_ptr<const Runtime> runtime) {
    std::lock_guard lock(mutex_);
    runtime_.swap(runtime);  // the old one is released outside the lock, when `runtime` goes
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Runtime> runtime_;
};

}  // namespace mratls::proxy
