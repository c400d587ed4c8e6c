#include "control/event_hub.hpp"

#include <asio/post.hpp>

#include <algorithm>

namespace mratls::control {

std::string sse_frame(const Event& e) {
  std::string out = "id: " + std::to_string(e.id) + "\nevent: " + e.name + "\n";
  std::size_t begin = 0;
  while (true) {
    auto end = e.data.find('\n', begin);
    out.append("data: ").append(e.data, begin, end == std::string::npos ? std::string::npos : end - begin).append("\n");
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return out + "\n";
}

void EventHub::publish(std::string name, std::string data) {
  std::lock_guard lock(mutex_);
  Event e{next_id_++, std::move(name), std::move(data)};
  for (const auto& s : subscribers_) {
    bool wake = false;
    {
      std::lock_guard sub(s->mutex);
      if (s->overflowed) continue;
      if (s->queue.size() >= kQueueLimit) {
        s->overflowed = true;
      } else {
        s->queue.push_back(e);
      }
      wake = !std::exchange(s->notified, true);
    }
    if (wake) asio::post(s->wake.get_executor(), [s] { s->wake.cancel(); });
  }
  if (e.name == "log") {
    lookup_.push_back(e.data);
    if (lookup_.size() > kLookupLines) lookup_.pop_front();
    recent_.push_back(std::move(e));
    if (recent_.size() > kRecentLines) recent_.pop_front();
  }
}

std::vector<std::string> EventHub::recent_lines() const {
  std::lock_guard lock(mutex_);
  return {lookup_.begin(), lookup_.end()};
}

std::shared_ptr<EventHub::Subscriber> EventHub::subscribe(const asio::any_io_executor& ex) {
  auto s = std::make_shared<Subscriber>(ex);
  std::lock_guard lock(mutex_);
  s->queue.assign(recent_.begin(), recent_.end());
  subscribers_.push_back(s);
  return s;
}

void EventHub::unsubscribe(const std::shared_ptr<Subscriber>& s) {
  std::lock_guard lock(mutex_);
  std::erase(subscribers_, s);
}

void EventHub::close() {
  std::lock_guard lock(mutex_);
  subscribers_.clear();
}

std::size_t EventHub::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

}  // namespace mratls::control
