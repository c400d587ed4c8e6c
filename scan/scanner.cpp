#include "scan/scanner.hpp"

#include <algorithm>

#include "logs/line_format.hpp"
#include "scan/log_reader.hpp"
#include "scan/outcome_text.hpp"
#include "mra/mra_path.hpp"

namespace mratls::scan {
namespace {

// "GET http://vcs:8443/<seg>/rest HTTP/1.1" or "GET /<seg>/rest HTTP/1.1" → the target.
std::string request_target(const std::string& message) {
  auto sp1 = message.find(' ');
  auto sp2 = message.rfind(' ');
  if (sp1 == std::string::npos || sp2 <= sp1) return {};
  std::string target = message.substr(sp1 + 1, sp2 - sp1 - 1);
  if (auto scheme = target.find("://"); scheme != std::string::npos) {
    auto slash = target.find('/', scheme + 3);
    target = slash == std::string::npos ? "/" : target.substr(slash);
  }
  return target;
}

int status_of(const std::string& message) {
  auto sp = message.find(' ');
  if (sp == std::string::npos || sp + 4 > message.size()) return 0;
  int status = 0;
  for (std::size_t i = sp + 1; i < sp + 4; ++i) {
    if (message[i] < '0' || message[i] > '9') return 0;
    status = status * 10 + (message[i] - '0');
  }
  return status;
}

constexpr std::int64_t kStaleMs = 10 * 60 * 1000;

}  // namespace

void Scanner::feed(std::string_view line, const std::string& source) {
  ++stats_.lines;
  Stream& stream = streams_[source];
  if (stream.debug) {
    // A DEBUG message block: its lines have no prefix; a lone "|" ends it.
    bool prefixed = line.find(" traffic_server[") != std::string_view::npos;
    if (!prefixed) {
      stream.debug_lines.emplace_back(line);
      if (line == "|" || line.ends_with("\n|") || (!line.empty() && line.back() == '|' && line.size() == 1)) {
        auto record = std::move(*stream.debug);
        stream.debug.reset();
        for (const auto& l : stream.debug_lines) record.line += "\n" + l;
        stream.debug_lines.clear();
        handle(std::move(record), stream);
      }
      return;
    }
    // A new prefixed line before the block closed: the block was truncated.
    auto record = std::move(*stream.debug);
    stream.debug.reset();
    stream.debug_lines.clear();
    handle(std::move(record), stream);
  }
  auto record = parse_line(line);
  switch (record.kind) {
    case RecordKind::Foreign:
      ++stats_.foreign_lines;
      return;
    case RecordKind::Garbled:
      ++stats_.garbled_lines;
      return;
    default:
      ++stats_.traffic_lines;
  }
  if (record.kind == RecordKind::Http && record.debug_block && !record.message.ends_with("|")) {
    stream.debug = std::move(record);
    return;
  }
  if (record.debug_block && record.message.ends_with("|")) record.message.pop_back();
  handle(std::move(record), stream);
}

Scanner::Txn* Scanner::owner_of(Stream& stream, int pid, const std::string& text) {
  Txn* best = nullptr;
  for (auto& [key, txn] : stream.open) {
    if (key.first != pid || !txn.decodable) continue;
    bool named = text.find("(" + txn.host + ")") != std::string::npos || text.find("'" + txn.host + "'") != std::string::npos ||
                 text.find("server=" + txn.host + "(") != std::string::npos;
    if (named && (!best || txn.start_ms >= best->start_ms)) best = &txn;
  }
  return best;
}

void Scanner::evict_stale(Stream& stream, std::int64_t now_ms) {
  for (auto it = stream.open.begin(); it != stream.open.end();) {
    if (now_ms - it->second.start_ms > kStaleMs) {
      ++stats_.incomplete_transactions;
      it = stream.open.erase(it);
    } else {
      ++it;
    }
  }
}

void Scanner::handle(LogRecord r, Stream& stream) {
  if ((window_.since_ms && r.time_ms < *window_.since_ms) || (window_.until_ms && r.time_ms > *window_.until_ms)) {
    ++stats_.outside_window;
    return;
  }
  if (r.kind == RecordKind::Http) {
    const auto key = std::make_pair(r.pid, r.txn_id);
    if (r.detail == logs::words::kReceiveRequest) {
      if (stream.open.size() > 4096) evict_stale(stream, r.time_ms);
      Txn txn;
      txn.id = r.txn_id;
      txn.pid = r.pid;
      txn.start_ms = r.time_ms;
      txn.time_text = r.time_text;
      txn.system = r.host;
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
        txn.decodable = true;
        txn.decoded = t.domain + "/" + t.protocol + "/" + t.host + "/" + std::to_string(t.port) + " " +
                      std::string(split->rest.empty() ? "/" : split->rest);
      } else {
        ++stats_.undecodable_paths;
      }
      txn.lines.push_back(r.line);
      stream.open[key] = std::move(txn);
      return;
    }
    auto it = stream.open.find(key);
    if (it == stream.open.end()) return;  // its request came before the window or the file
    if (it->second.lines.size() < 24) it->second.lines.push_back(r.line);
    if (r.detail == logs::words::kSendingResponse) {
      close(it->second, status_of(r.message));
      stream.open.erase(it);
    }
    return;
  }
  if (r.kind == RecordKind::Access) {
    // The event carries no Txn-id: it belongs to the newest open request for that URL.
    Txn* owner = nullptr;
    for (auto& [k, txn] : stream.open)
      if (k.first == r.pid && txn.decodable && r.request_url.find("://" + txn.host + ":" + std::to_string(txn.port)) != std::string::npos &&
          (!owner || txn.start_ms >= owner->start_ms))
        owner = &txn;
    if (owner) {
      owner->lines.push_back(r.line);
      owner->rule_type = r.rule_type;
      owner->user = r.username;
      if (!r.allowed) {
        owner->denied = true;
        owner->reasons.push_back(r.line);
      }
    }
    return;
  }
  if (r.kind == RecordKind::Warning || r.kind == RecordKind::Error) {
    if (Txn* owner = owner_of(stream, r.pid, r.text)) {
      owner->lines.push_back(r.line);
      owner->reasons.push_back(r.line);
    }
  }
}

void Scanner::close(Txn& txn, int status) {
  ++stats_.transactions;
  if (!txn.decodable) return;
  if (observer_)
    observer_({txn.system, txn.pid, txn.id, txn.start_ms, txn.domain, txn.protocol, txn.host, txn.port, txn.host_is_ip,
               txn.method, txn.path, status, txn.rule_type, txn.user, txn.denied || status == 403, txn.reasons});
  auto& o = origins_[{txn.host, txn.port}];
  o.host = txn.host;
  o.port = txn.port;
  o.protocol = txn.protocol;
  o.host_is_ip = txn.host_is_ip;
  ++o.requests;
  if (status >= 200 && status < 300) {
    ++o.ok;
    o.last_ok_ms = std::max(o.last_ok_ms, txn.start_ms);
    return;
  }
  verify::Diagnosis d;
  const auto outcome = outcome_of(txn.reasons);
  if (outcome) d = verify::explain(*outcome);
  if (status == 403 || txn.denied) {
    ++o.denied;
    if (d.cause == verify::Cause::None) d = {verify::Cause::Denied, "the request is not in the allow list", ""};
  } else if (status >= 500) {
    ++o.failed;
    if (d.cause == verify::Cause::None)
      d = {verify::Cause::ConnectFailure, "no TLS cause logged: the connection to the node failed (network, DNS or the port)",
           "Check the network path from Expressway-C to " + mra::host_port(txn.host, txn.port) + "."};
  } else {
    return;
  }
  if (o.first_failure.empty()) o.first_failure = txn.time_text;
  if (txn.start_ms > 0 && (o.first_failure_ms == 0 || txn.start_ms < o.first_failure_ms)) o.first_failure_ms = txn.start_ms;
  o.last_failure = txn.time_text;
  o.last_failure_ms = std::max(o.last_failure_ms, txn.start_ms);
  ++o.causes[d.cause];
  if (o.causes[d.cause] >= o.causes[o.diagnosis.cause] || o.diagnosis.cause == verify::Cause::None) o.diagnosis = d;
  if (o.evidence.size() < kEvidencePerOrigin) o.evidence.push_back({txn.decoded, txn.lines});
}

void Scanner::finish() {
  for (auto& [name, stream] : streams_) {
    if (stream.debug) {
      auto record = std::move(*stream.debug);
      stream.debug.reset();
      handle(std::move(record), stream);
    }
    stats_.incomplete_transactions += stream.open.size();
    stream.open.clear();
  }
  // Failing self-signed, then passing: something changed in between. A certificate trusted or
  // re-signed reads the same as a cipher string turned RSA-first (which avoids a self-signed
  // ECDSA certificate); the logs alone do not say which, nor that the certificate was ECDSA.
  for (auto& [key, o] : origins_) {
    if (o.diagnosis.cause != verify::Cause::SelfSigned) continue;
    if (o.last_ok_ms > o.last_failure_ms && o.last_failure_ms > 0)
      o.notes.push_back("the same origin passes after its last failure (" + o.last_failure +
                        "): something changed then: the certificate trusted or re-signed, or the cipher string made "
                        "RSA-first (which avoids a self-signed tomcat-ECDSA). A capture of the handshake shows which "
                        "certificate was presented");
  }
}

std::vector<OriginSummary> Scanner::origins() const {
  std::vector<OriginSummary> out;
  for (const auto& [k, o] : origins_) out.push_back(o);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    bool fa = a.failed + a.denied > 0, fb = b.failed + b.denied > 0;
    if (fa != fb) return fa;
    return std::tie(a.host, a.port) < std::tie(b.host, b.port);
  });
  return out;
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
    skipped.insert(skipped.end(), read->skipped.begin(), read->skipped.end());
  }
  scanner.finish();
  return {};
}

}  // namespace mratls::scan
