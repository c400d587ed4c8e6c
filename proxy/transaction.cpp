#include "proxy/transaction.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include "verify/cipher_preference.hpp"

namespace mratls::proxy {

std::string new_tracking_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x4000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  // Hex by hand: snprintf's format parsing was a visible part of every request without a TrackingID.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(36, '-');
  std::size_t at = 0;
  auto put = [&](std::uint64_t bits, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) id[at++] = kHex[(bits >> (4 * i)) & 15];
  };
  put(hi >> 32, 8), ++at, put(hi >> 16, 4), ++at, put(hi, 4), ++at, put(lo >> 48, 4), ++at, put(lo, 12);
  return id;
}

Transaction::Transaction(std::shared_ptr<const Runtime> rt, SharedState& shared, EventThread& thread,
                         std::optional<std::string> tracking_id)
    : rt_(std::move(rt)),
      shared_(shared),
      thread_(thread),
      id_(std::to_string(shared.next_txn++)),
      tracking_id_(tracking_id ? std::move(*tracking_id) : new_tracking_id()) {}

void Transaction::http_line(logs::HttpDetail detail, std::string_view ip, int port, logs::HttpMessageView message,
                            bool with_tracking) const {
  logs::HttpLine l{detail, std::chrono::system_clock::now(), id_, with_tracking ? std::string_view(tracking_id_) : std::string_view(),
                   ip, port, message};
  rt_->log->write(l.time, logs::http_line(l, rt_->log->level()));
}

void Transaction::warn(const std::string& text) { line(logs::thread_line(thread_.index, "WARNING", text)); }

void Transaction::line(std::string text) {
  lines_.push_back(std::move(text));
  rt_->log->write_now(lines_.back());
}

void Transaction::warn_client(const std::string& text) const {
  rt_->log->write_now(logs::thread_line(thread_.index, "WARNING", text));
}

std::chrono::milliseconds Transaction::bounded(std::chrono::milliseconds timeout) const {
  if (!deadline_) return timeout;
  // Rounded up, so that the timer never fires before the deadline it stands for.
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - std::chrono::steady_clock::now());
  return std::clamp(left, std::chrono::milliseconds(1), timeout);
}

void Transaction::fail(verify::Outcome outcome, std::vector<std::string> lines, std::vector<verify::Outcome> more) {
  outcome_ = std::move(outcome);
  more_ = std::move(more);
  if (!lines.empty() || lines_.empty()) lines_ = std::move(lines);
}

void Transaction::final_status(int status) {
  status_ = status;
  std::optional<verify::Facts> facts;
  if (outcome_) {
    facts = verify::Facts{{*outcome_}, rt_->preference, std::nullopt, verify::Source::Chain};
    facts->findings.insert(facts->findings.end(), more_.begin(), more_.end());
  } else if (warned_ && !warned_->empty()) {
    facts = verify::Facts{*warned_, rt_->preference, std::nullopt, verify::Source::Chain};
    facts->passed_by_log_only = true;
  }
  if (facts) facts->offered = rt_->offered;
  if (facts && rt_->outcomes) rt_->outcomes->record(tracking_id_, *facts);
  if (status > 0 && status < ThreadCounters::kStatuses) ThreadCounters::bump(thread_.counters.responses[static_cast<std::size_t>(status)]);
  if (target_ && (facts || shared_.board.watching()))
    shared_.board.record(target_->host, target_->port, status, facts ? &*facts : nullptr, std::move(lines_));
}

}  // namespace mratls::proxy
