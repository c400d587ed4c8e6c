#include "scan/scanner.hpp"

#include <algorithm>

#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "scan/log_reader.hpp"
#include "scan/authority.hpp"
#include "scan/masked.hpp"
#include "scan/wrapped_text.hpp"

namespace mratls::scan {
namespace {

// "GET http://vcs:8443/<seg>/rest HTTP/1.1" or "GET /<seg>/rest HTTP/1.1" → the target. The
// message is in the appliance's form already (log_record.cpp): one space each side of it.
std::string_view request_target(std::string_view message) {
  const auto sp1 = message.find(' ');
  const auto sp2 = message.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 <= sp1) return {};
  auto target = message.substr(sp1 + 1, sp2 - sp1 - 1);
  if (auto scheme = target.find("://"); scheme != std::string_view::npos) {
    auto slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  return target;
}

constexpr std::int64_t kStaleMs = 10 * 60 * 1000;

}  // namespace

void Scanner::feed(std::string_view line, const std::string& source) {
  ++stats_.lines;
  Stream& stream = streams_[source];
  if (!stream.assembler) stream.assembler.emplace([this, &stream](LogEntry&& e) { on_entry(std::move(e), stream); });
  // A line handed over whole may hold its HTTPMSG block (the proxy's own DEBUG lines).
  for (auto nl = line.find('\n'); nl != std::string_view::npos; nl = line.find('\n')) {
    stream.assembler->push(line.substr(0, nl));
    line.remove_prefix(nl + 1);
  }
  stream.assembler->push(line);
}

void Scanner::end_of_file(const std::string& source) {
  auto it = streams_.find(source);
  if (it != streams_.end() && it->second.assembler) it->second.assembler->flush();
}

void Scanner::on_entry(LogEntry&& entry, Stream& stream) {
  ++stats_.entries;
  auto record = parse_entry(std::move(entry.text));
  switch (record.kind) {
    case RecordKind::Foreign: ++stats_.foreign_lines; return;
    case RecordKind::Garbled: ++stats_.garbled_lines; return;
    case RecordKind::OtherModule: ++stats_.other_modules; return;
    case RecordKind::ExpresswayE:
      ++stats_.expressway_e;
      e_systems_.insert(record.host);
      if (record.status >= 400) {
        auto seen = std::ranges::find_if(edge_answers_, [&](const EdgeAnswer& a) {
          return a.system == record.host && a.status == record.status;
        });
        if (seen == edge_answers_.end()) seen = edge_answers_.insert(edge_answers_.end(), {record.host, record.status, record.reason, 0, record.line});
        ++seen->count;
      }
      return;
    default: break;
  }
  // Expressway-E's requests are set aside; a WARNING or ERROR line of it is still a finding.
  if (e_systems_.contains(record.host) && record.kind != RecordKind::Warning && record.kind != RecordKind::Error) {
    ++stats_.expressway_e;
    return;
  }
  ++stats_.traffic_lines;
  handle(std::move(record), stream);
}

void Scanner::make_room(Stream& stream, std::int64_t now_ms) {
  if (stream.open.size() < kMaxOpen) return;
  // The stale first, then the oldest, until a quarter is free.
  std::vector<std::map<TxnKey, Txn>::iterator> order;
  for (auto it = stream.open.begin(); it != stream.open.end(); ++it) order.push_back(it);
  std::ranges::sort(order, [](const auto& a, const auto& b) { return a->second.start_ms < b->second.start_ms; });
  std::size_t freed = 0;
  for (auto it : order) {
    if (freed >= kMaxOpen / 4 && now_ms - it->second.start_ms <= kStaleMs) break;
    abandon(it->second);
    stream.open.erase(it);
    ++freed;
  }
}

void Scanner::abandon(Txn& txn) {
  if (!txn.known_origin || txn.reasons.empty()) {
    ++stats_.incomplete_transactions;
    return;
  }
  if (txn.terminated) {
    add_once(txn.certainty, "its response is not in the log: 502 connect failed taken from the line that ended the connection");
    close(txn, 502);
  } else {
    close(txn, 0);  // warned: it went on, the log does not say how it ended
  }
}

void Scanner::handle(LogRecord r, Stream& stream) {
  if (r.time_ms != 0 && ((window_.since_ms && r.time_ms < *window_.since_ms) || (window_.until_ms && r.time_ms > *window_.until_ms))) {
    ++stats_.outside_window;
    return;
  }
  if (r.kind == RecordKind::Http) {
    if (r.detail == logs::words::kReceiveRequest || r.detail == "Sending Request") {
      on_request(r, stream);
      return;
    }
    auto it = stream.open.find({r.host, r.pid, r.txn_id});
    if (it == stream.open.end()) return;  // its request came before the window or the file
    if (it->second.lines.size() < kLinesPerTxn) it->second.lines.push_back(std::move(r.line));
    if (r.detail == logs::words::kSendingResponse) {
      close(it->second, wrapped::status_of(r.message));
      stream.open.erase(it);
    }
    return;
  }
  if (r.kind == RecordKind::Access) {
    // The event carries no Txn-id: it belongs to the newest open request for that URL.
    Txn* owner = nullptr;
    const auto [url_host, url_port] = url_origin(r.request_url);
    for (auto& [k, txn] : stream.open)
      if (txn.pid == r.pid && txn.system == r.host && txn.known_origin && txn.port == url_port && same_name(txn.host, url_host) &&
          (!owner || txn.start_ms >= owner->start_ms))
        owner = &txn;
    if (owner) {
      if (owner->lines.size() < kLinesPerTxn) owner->lines.push_back(r.line);
      owner->rule_type = r.rule_type;
      owner->user = r.username;
      if (!r.allowed) {
        owner->denied = true;
        if (owner->reasons.size() < kReasonsPerTxn) owner->reasons.push_back(r.line);
      }
    }
    return;
  }
  if (r.kind == RecordKind::Warning || r.kind == RecordKind::Error) on_failure_line(r, stream);
}

Scanner::Txn Scanner::opened(const LogRecord& r) {
  Txn txn;
  txn.id = r.txn_id;
  txn.pid = r.pid;
  txn.start_ms = r.time_ms;
  txn.time_text = r.time_text;
  txn.system = r.host;
  return txn;
}

void Scanner::on_request(LogRecord& r, Stream& stream) {
  const TxnKey key{r.host, r.pid, r.txn_id};
  auto it = stream.open.find(key);
  if (r.detail == logs::words::kReceiveRequest) {
    // The same event at INFO and at DEBUG (diagnostic logging writes both): one request.
    if (it != stream.open.end() && it->second.received && it->second.start_ms == r.time_ms) {
      if (it->second.known_origin || r.message.empty()) return;
    }
    // The Txn-id used again (the process restarted): what the first one's lines say still counts.
    if (it != stream.open.end()) {
      if (!(it->second.received && it->second.start_ms == r.time_ms)) abandon(it->second);
      stream.open.erase(it);
    }
    make_room(stream, r.time_ms);
    Txn txn = opened(r);
    txn.received = true;
    txn.method = r.message.substr(0, r.message.find(' '));
    auto target = request_target(r.message);
    auto split = mra::split_path(target);
    auto segment = split ? mra::decode_segment(split->segment) : std::unexpected(mra::MraPathError{""});
    if (segment && segment->kind == mra::MraSegment::Kind::Origin) {
      const auto& t = segment->target;
      txn.host = t.host;
      txn.port = t.port;
      txn.protocol = t.protocol;
      txn.host_is_ip = t.host_is_ip;
      txn.domain = t.domain;
      txn.path = split->rest.empty() ? "/" : std::string(split->rest);
      txn.known_origin = true;
      txn.decoded = t.domain + "/" + t.protocol + "/" + t.host + "/" + std::to_string(t.port) + " " +
                    std::string(split->rest.empty() ? "/" : split->rest);
    } else {
      ++stats_.undecodable_paths;
    }
    txn.lines.push_back(std::move(r.line));
    stream.open[key] = std::move(txn);
    return;
  }
  // Sending Request: the connection to the origin. Its Receive Request may not be in the log.
  if (it == stream.open.end()) {
    make_room(stream, r.time_ms);
    ++stats_.without_receive;
    it = stream.open.emplace(key, opened(r)).first;
  }
  Txn& txn = it->second;
  const bool twin = txn.sent && txn.sent_ms == r.time_ms && txn.sent_level != r.level;
  txn.sent = true;
  txn.sent_ms = r.time_ms;
  txn.sent_level = r.level;
  if (!r.ip.empty()) txn.sent_ip = r.ip;
  if (r.port) txn.sent_port = r.port;
  if (!r.header_host.empty()) txn.header_host = r.header_host;
  // Where the request went matters only while its origin is not known.
  if (!txn.known_origin)
    if (auto line = wrapped::request_line(r.message)) {
      txn.sent_method = line->method;
      txn.sent_path = line->target;
    }
  if (!twin && txn.lines.size() < kLinesPerTxn) txn.lines.push_back(std::move(r.line));
}

void Scanner::finish() {
  for (auto& [name, stream] : streams_) {
    if (stream.assembler) {
      stream.assembler->flush();
      const auto& c = stream.assembler->counts();
      stats_.separators += c.separators;
      stats_.loose_text += c.loose;
      stats_.entries_cut += c.cut;
    }
    flush_lone(stream);
    // A request whose response is not in the log (cut short): its lines say how it went.
    for (auto& [key, txn] : stream.open) abandon(txn);
    stream.open.clear();
  }
  canonical_origins();
  for (auto& [key, o] : tallies_) {
    // Failing self-signed, then passing: something changed in between. A certificate trusted or
    // re-signed reads the same as a cipher string turned RSA-first (which avoids a self-signed
    // ECDSA certificate); the logs alone do not say which, nor that the certificate was ECDSA.
    if (o.diagnosis.cause != verify::Cause::SelfSigned) continue;
    if (o.last_ok_ms > o.last_failure_ms && o.last_failure_ms > 0)
      add_once(o.notes, "the same origin passes after its last failure (" + o.last_failure +
                            "): something changed then: the certificate trusted or re-signed, or the cipher string made "
                            "RSA-first (which avoids a self-signed tomcat-ECDSA). A capture of the handshake shows which "
                            "certificate was presented");
  }
}

std::expected<void, std::string> scan_files(const std::vector<std::string>& files, Scanner& scanner,
                                            std::vector<std::string>& skipped) {
  std::vector<MemberStart> members;
  for (const auto& file : files) {
    auto starts = member_starts(file);
    if (!starts) return std::unexpected(starts.error());
    members.insert(members.end(), starts->begin(), starts->end());
  }
  std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first_ms < b.first_ms; });
  for (const auto& m : members) {
    auto read = read_log_lines(m.path, [&](std::string_view line, const std::string&) { scanner.feed(line, "merged"); }, m.member);
    if (!read) return std::unexpected(read.error());
    scanner.end_of_file("merged");
    skipped.insert(skipped.end(), read->skipped.begin(), read->skipped.end());
  }
  scanner.finish();
  return {};
}

}  // namespace mratls::scan
