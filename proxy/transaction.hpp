// One request as the log, the counters and the origin table know it: its Txn-id and TrackingID,
// the runtime it runs under, the origin once it is routed, and why it failed. Every path of the
// session reports through here, the same way: each HTTP step's line, the WARNING and ERROR
// lines that go with the transaction, and its final status counted and recorded, outcome and
// all, before the client can read the response.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "proxy/event_thread.hpp"
#include "proxy/runtime.hpp"
#include "verify/outcome.hpp"

namespace mratls::proxy {

class Transaction {
 public:
  // A new Txn-id; without a tracking id one is made up, as for a request without a TrackingID
  // header.
  Transaction(std::shared_ptr<const Runtime> rt, SharedState& shared, EventThread& thread,
              std::optional<std::string> tracking_id);

  const Runtime& rt() const { return *rt_; }
  const std::shared_ptr<const Runtime>& runtime() const { return rt_; }
  const std::string& id() const { return id_; }
  const std::string& tracking_id() const { return tracking_id_; }
  int status() const { return status_; }

  // The origin, once routed; the target must outlive the transaction's reports.
  void route_to(const mra::MraTarget* target) { target_ = target; }

  // The line of one HTTP step (Receive Request, Sending Request, ...).
  void http_line(logs::HttpDetail detail, std::string_view ip, int port, logs::HttpMessageView message,
                 bool with_tracking = true) const;
  // A WARNING line that goes with the transaction to the origin table.
  void warn(const std::string& text);
  // A line already formatted (the appliance's SSL ERROR line), kept the same way.
  void line(std::string text);
  // A WARNING line about the client side (a body that did not arrive): not the origin's.
  void warn_client(const std::string& text) const;
  // Why the request did not reach its origin, with the lines that said so, when not yet written.
  // `more`: what else the certificates showed wrong after the finding the appliance logs.
  void fail(verify::Outcome outcome, std::vector<std::string> lines = {}, std::vector<verify::Outcome> more = {});
  const std::optional<verify::Outcome>& outcome() const { return outcome_; }
  // The connection that carries the request passed under log-only with these findings: they
  // are the request's too (what VerifyOriginServer On would refuse).
  void carried_by_warned(std::shared_ptr<const std::vector<verify::Outcome>> warned) { warned_ = std::move(warned); }
  // A later connection attempt reached the origin: an earlier attempt's failure is not the
  // request's outcome (its lines stay: they happened).
  void clear_failure() {
    outcome_.reset();
    more_.clear();
  }

  // The final status, before its response is written: counted by status (GET /metrics), its
  // outcome recorded for whoever keeps outcomes (the lab), and the origin's row in the table
  // updated: verification failures always, the rest while an admin listener watches.
  void final_status(int status);

  // The request and its response, bodies included, must end within `total` from now
  // (timeouts.transaction_ms); each operation's timeout is cut to what is left of it.
  void limit(std::chrono::milliseconds total) { deadline_ = std::chrono::steady_clock::now() + total; }
  std::chrono::milliseconds bounded(std::chrono::milliseconds timeout) const;
  bool expired() const { return deadline_ && std::chrono::steady_clock::now() >= *deadline_; }

 private:
  std::shared_ptr<const Runtime> rt_;
  SharedState& shared_;
  EventThread& thread_;
  std::string id_;
  std::string tracking_id_;
  std::optional<verify::Outcome> outcome_;
  std::vector<verify::Outcome> more_;
  std::shared_ptr<const std::vector<verify::Outcome>> warned_;
  int status_ = 0;
  const mra::MraTarget* target_ = nullptr;
  std::vector<std::string> lines_;  // the WARNING/ERROR lines about the origin
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

// A TrackingID for a request that brings none: a random (version 4) UUID.
std::string new_tracking_id();

}  // namespace mratls::proxy
