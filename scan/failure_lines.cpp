// Which request a WARNING or ERROR line belongs to: the open request to the origin it names;
// else one whose Receive Request is not in the log, known by its Sending Request (the Host it
// sent, the address it connected to, or the time); else none, and the line is a finding of its
// own. Nothing the traffic server warned about is dropped.
#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "scan/authority.hpp"
#include "scan/masked.hpp"
#include "scan/scanner.hpp"

namespace mratls::scan {
namespace {

// How long after its Sending Request a failing line can still be that request's: the connect and
// handshake timeouts, with room.
constexpr std::int64_t kAttemptMs = 60 * 1000;
// The lines of one failed attempt (a WARNING, then its ERROR) are written within this much.
constexpr std::int64_t kSameAttemptMs = 2 * 1000;

bool names(const std::string& host, const LogRecord& r) {
  return !host.empty() && ((!r.server.empty() && same_name(host, r.server)) || (!r.name.empty() && same_name(host, r.name)));
}

}  // namespace

void Scanner::on_failure_line(const LogRecord& r, Stream& stream) {
  // 1. An open request to the origin the line names.
  Txn* owner = nullptr;
  auto ours = [&](const Txn& txn) { return txn.pid == r.pid && txn.system == r.host; };
  for (auto& [key, txn] : stream.open)
    if (ours(txn) && txn.known_origin && names(txn.host, r) && (!owner || txn.start_ms >= owner->start_ms)) owner = &txn;
  // 2. Else a request whose origin is not known yet, by its Sending Request: the Host it sent, the
  // address it connected to, or the newest one that can still be waiting for its handshake. A
  // line that names no origin cannot name it.
  if (!owner && (!r.name.empty() || !r.server.empty())) {
    auto score = [&](const Txn& txn) -> int {
      if (txn.known_origin || !txn.sent || txn.terminated) return 0;
      if (!txn.header_host.empty()) return names(split_host_port(txn.header_host).first, r) ? 3 : 0;
      if (!txn.sent_ip.empty() && !r.server_ip.empty()) return txn.sent_ip == r.server_ip ? 2 : 0;
      return r.time_ms == 0 || txn.sent_ms == 0 || (r.time_ms >= txn.sent_ms && r.time_ms - txn.sent_ms <= kAttemptMs) ? 1 : 0;
    };
    int best = 0;
    for (auto& [key, txn] : stream.open) {
      if (!ours(txn)) continue;
      const int s = score(txn);
      if (s > best || (s == best && s > 0 && txn.sent_ms >= owner->sent_ms)) best = s, owner = &txn;
    }
    if (owner) {
      auto& t = *owner;
      t.host = !r.server.empty() ? r.server : r.name;
      const auto [header_host, header_port] = split_host_port(t.header_host);
      t.port = t.sent_port ? t.sent_port : header_port;
      t.protocol = "https";
      t.host_is_ip = mra::is_ip_literal(t.host) || is_masked_ip(t.host);
      t.method = t.sent_method.empty() ? t.method : t.sent_method;
      t.path = t.sent_path.empty() ? "/" : t.sent_path;
      t.known_origin = true;
      t.decoded = "(no MRA path) " + mra::host_port(t.host, static_cast<std::uint16_t>(t.port)) + " " + t.path;
      add_once(t.certainty, std::string(t.received ? "the request's MRA path could not be read" : "no Receive Request in the log") +
                                ": the origin named by the " + (r.kind == RecordKind::Warning ? "WARNING" : "ERROR") +
                                " line, its port from the Sending Request");
      add_once(t.certainty, "no MRA path seen");
    }
  }
  if (owner) {
    if (owner->lines.size() < kLinesPerTxn) owner->lines.push_back(r.line);
    if (owner->reasons.size() < kReasonsPerTxn) owner->reasons.push_back(r.line);
    owner->terminated = owner->terminated || r.terminate;
    return;
  }
  // 3. Tied to no request: a finding of its own, with the lines of the same attempt.
  auto& lone = stream.lone;
  const bool same_attempt = lone && lone->pid == r.pid && lone->system == r.host &&
                            (same_name(lone->name, r.name) || (!lone->server.empty() && same_name(lone->server, r.name))) &&
                            r.time_ms - lone->time_ms <= kSameAttemptMs && lone->lines.size() < 8;
  if (!same_attempt) {
    flush_lone(stream);
    lone = LoneFinding{r.host, r.pid, r.time_ms, r.time_text, r.name, r.server, {}};
  }
  lone->lines.push_back(r.line);
}

}  // namespace mratls::scan
