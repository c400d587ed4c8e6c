// Scanner's sums: each closed request and each lone finding into its origin's tally, per system;
// masked names joined to the origin they hide; the systems summed up, Expressway-E's left out.
#include <algorithm>

#include "mra/mra_path.hpp"
#include "scan/authority.hpp"
#include "scan/masked.hpp"
#include "scan/outcome_text.hpp"
#include "scan/scanner.hpp"

namespace mratls::scan {
namespace {

// The domain a request without its MRA path belongs to, from the name it was made to.
std::string domain_of(const std::string& host, bool ip) {
  const auto dot = host.find('.');
  return ip || dot == std::string::npos ? std::string("unknown.invalid") : host.substr(dot + 1);
}

void count_cause(OriginSummary& o, const verify::Diagnosis& d, const verify::Facts& facts, std::uint64_t n = 1) {
  o.causes[d.cause] += n;
  if (o.diagnosis.cause == verify::Cause::None || o.causes[d.cause] >= o.causes[o.diagnosis.cause]) o.diagnosis = d, o.facts = facts;
}

// What the lines say, as facts (the lines alone: the certificate is not known), and in words.
std::pair<verify::Facts, verify::Diagnosis> read_lines(const std::vector<std::string>& lines) {
  verify::Facts facts;
  facts.findings = outcomes_of(lines);
  facts.source = verify::Source::Lines;
  if (facts.findings.empty() && !lines.empty()) facts.findings.push_back(unrecognised_lines(lines));
  return {facts, verify::diagnose(facts)};
}

void failure_times(OriginSummary& o, const std::string& text, std::int64_t ms) {
  if (o.first_failure.empty()) o.first_failure = text;
  if (ms > 0 && (o.first_failure_ms == 0 || ms < o.first_failure_ms)) o.first_failure_ms = ms, o.first_failure = text;
  if (ms >= o.last_failure_ms) o.last_failure_ms = ms, o.last_failure = text;
}

void merge(OriginSummary& into, const OriginSummary& from) {
  if (into.host.empty()) into.host = from.host, into.port = from.port, into.protocol = from.protocol, into.host_is_ip = from.host_is_ip;
  into.requests += from.requests;
  into.ok += from.ok;
  into.failed += from.failed;
  into.denied += from.denied;
  into.warned += from.warned;
  into.lone += from.lone;
  if (!from.first_failure.empty()) {
    failure_times(into, from.first_failure, from.first_failure_ms);
    failure_times(into, from.last_failure, from.last_failure_ms);
  }
  into.last_ok_ms = std::max(into.last_ok_ms, from.last_ok_ms);
  for (const auto& [cause, n] : from.causes) {
    into.causes[cause] += n;
    if (cause == from.diagnosis.cause &&
        (into.diagnosis.cause == verify::Cause::None || into.causes[cause] >= into.causes[into.diagnosis.cause]))
      into.diagnosis = from.diagnosis, into.facts = from.facts;
  }
  for (const auto& n : from.notes) add_once(into.notes, n);
  for (const auto& e : from.evidence)
    if (into.evidence.size() < Scanner::kEvidencePerOrigin) into.evidence.push_back(e);
}

}  // namespace

void add_once(std::vector<std::string>& notes, const std::string& note) {
  if (std::ranges::find(notes, note) == notes.end()) notes.push_back(note);
}

void Scanner::close(Txn& txn, int status) {
  ++stats_.transactions;
  if (!txn.known_origin) {
    // A failure whose origin no line names: known by the address its Sending Request went to.
    if (status < 500 || !txn.sent || (txn.sent_ip.empty() && txn.header_host.empty())) return;
    txn.host = txn.header_host.empty() ? txn.sent_ip : split_host_port(txn.header_host).first;
    txn.port = txn.sent_port;
    txn.protocol = "https";
    txn.host_is_ip = mra::is_ip_literal(txn.host);
    txn.path = txn.sent_path.empty() ? "/" : txn.sent_path;
    txn.method = txn.sent_method;
    txn.known_origin = true;
    txn.decoded = "(no MRA path) " + mra::host_port(txn.host, static_cast<std::uint16_t>(txn.port)) + " " + txn.path;
    add_once(txn.certainty, "the origin known only by the Sending Request's address");
  }
  if (txn.domain.empty()) txn.domain = domain_of(txn.host, txn.host_is_ip);
  if (observer_ && !e_systems_.contains(txn.system))
    observer_({txn.system, txn.pid, txn.id, txn.start_ms, txn.domain, txn.protocol, txn.host, txn.port, txn.host_is_ip,
               txn.method, txn.path, status, txn.rule_type, txn.user, txn.denied || status == 403, txn.reasons, txn.certainty});
  tally(txn, status);
}

OriginSummary& Scanner::tally_for(const std::string& system, const std::string& host, int port) {
  auto it = tallies_.find({system, host, port});
  if (it != tallies_.end()) return it->second;
  // Past the bound, what is left is summed up under one name rather than dropped.
  if (tallies_.size() >= kMaxOrigins) {
    auto& rest = tallies_[{system, "(origins past the first 4096)", 0}];
    rest.host = "(origins past the first 4096)";
    return rest;
  }
  auto& o = tallies_[{system, host, port}];
  o.host = host;
  o.port = port;
  return o;
}

void Scanner::tally(const Txn& txn, int status) {
  auto& o = tally_for(txn.system, txn.host, txn.port);
  o.protocol = txn.protocol;
  o.host_is_ip = txn.host_is_ip;
  ++o.requests;
  for (const auto& c : txn.certainty) add_once(o.notes, c);
  auto [facts, d] = read_lines(txn.reasons);
  // A failure no line explains is still one, in the catalogue's words.
  auto unexplained = [&](verify::Outcome outcome) {
    facts = verify::Facts{{std::move(outcome)}};
    d = verify::diagnose(facts);
  };
  if (status == 403 || txn.denied) {
    ++o.denied;
    if (d.cause == verify::Cause::None) unexplained(verify::Denied{});
  } else if (status >= 500) {
    ++o.failed;
    if (d.cause == verify::Cause::None)
      unexplained(verify::NetworkFailure{mra::host_port(txn.host, static_cast<std::uint16_t>(txn.port)),
                                         "no line says why: the network, DNS or the port"});
  } else {
    // It went through: with WARNING lines (Action=Continue) it is what VerifyOriginServer On
    // would refuse, whatever the origin answered.
    if (status >= 200 && status < 300) {
      ++o.ok;
      o.last_ok_ms = std::max(o.last_ok_ms, txn.start_ms);
    }
    if (txn.reasons.empty()) return;
    ++o.warned;
    count_cause(o, d, facts);
    if (o.evidence.size() < kEvidencePerOrigin) o.evidence.push_back({txn.decoded, txn.lines});
    return;
  }
  failure_times(o, txn.time_text, txn.start_ms);
  count_cause(o, d, facts);
  if (o.evidence.size() < kEvidencePerOrigin) o.evidence.push_back({txn.decoded, txn.lines});
}

void Scanner::flush_lone(Stream& stream) {
  if (!stream.lone) return;
  auto lone = std::move(*stream.lone);
  stream.lone.reset();
  ++stats_.lone_findings;
  const std::string host = !lone.server.empty() ? lone.server : lone.name;
  auto& o = tally_for(lone.system, host, 0);
  o.host_is_ip = mra::is_ip_literal(host) || is_masked_ip(host);
  ++o.lone;
  const auto [facts, d] = read_lines(lone.lines);
  count_cause(o, d, facts);
  add_once(o.notes, "a WARNING/ERROR line tied to no request in the log: the port and the request are not known");
  failure_times(o, lone.time_text, lone.time_ms);
  if (o.evidence.size() < kEvidencePerOrigin) o.evidence.push_back({"(no request in the log)", lone.lines});
}

void Scanner::canonical_origins() {
  // A name the customer masked joins the one origin it can be, where the log shows it unmasked
  // (in an MRA path); a lone finding joins the one origin of its name. Otherwise it stays apart.
  std::vector<std::tuple<std::string, std::string, int>> joined;
  for (auto& [key, o] : tallies_) {
    const auto& [system, host, port] = key;
    const bool masked = is_masked(host);
    if (!masked && port != 0) continue;
    const std::tuple<std::string, std::string, int>* target = nullptr;
    int candidates = 0;
    for (const auto& [other, other_o] : tallies_) {
      const auto& [s2, h2, p2] = other;
      if (other == key || s2 != system || p2 == 0 || is_masked(h2)) continue;
      if ((port == 0 || p2 == port) && same_name(host, h2)) target = &other, ++candidates;
    }
    if (candidates != 1) continue;
    merge(tallies_[*target], o);
    joined.push_back(key);
  }
  for (const auto& key : joined) tallies_.erase(key);
}

std::vector<OriginSummary> Scanner::origins() const {
  std::map<std::pair<std::string, int>, OriginSummary> summed;
  for (const auto& [key, o] : tallies_) {
    const auto& [system, host, port] = key;
    // Expressway-E's requests are its own; a WARNING or ERROR line of it still stands.
    if (e_systems_.contains(system) && port != 0) continue;
    merge(summed[{host, port}], o);
  }
  std::vector<OriginSummary> out;
  for (auto& [k, o] : summed) out.push_back(std::move(o));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a.troubled() != b.troubled()) return a.troubled();
    return std::tie(a.host, a.port) < std::tie(b.host, b.port);
  });
  return out;
}

}  // namespace mratls::scan
