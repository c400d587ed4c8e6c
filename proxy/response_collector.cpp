#include "proxy/response_collector.hpp"

namespace mratls::proxy {

ResponseCollector::ResponseCollector(bool head_request, bool stop_at_interim)
    : parser_(HttpParser::Kind::Response, {}), stop_at_interim_(stop_at_interim) {
  parser_.expect_no_body(head_request);
  parser_.keep_payload(true);
}

std::size_t ResponseCollector::feed(std::string_view bytes) {
  std::size_t total = 0;
  while (!done()) {
    const auto rest = bytes.substr(total);
    const bool had_head = in_body_;
    const auto used = parser_.feed(rest);
    if (parser_.failed()) return total + used;
    total += used;
    if (parser_.head_ready() && !in_body_) {
      status_ = parser_.head().status;
      reason_ = parser_.head().reason;
      headers_ = parser_.head().headers;
      in_body_ = true;
    }
    if (parser_.message_complete()) {
      if (status_ >= 200) break;
      interim_.push_back(status_);
      if (stop_at_interim_) break;
      parser_.next_message();  // an interim response: the final one follows
      status_ = 0;
      in_body_ = false;
      continue;
    }
    // The parser stops at the end of a head; one more pass lets a body that needs no bytes
    // (none announced, or nothing left of it) complete.
    const bool head_just_read = !had_head && in_body_;
    if (!head_just_read && (used == 0 || total == bytes.size())) break;
  }
  return total;
}

void ResponseCollector::finish() { parser_.finish(); }

std::string ResponseCollector::body() const { return parser_.payload(); }

}  // namespace mratls::proxy
