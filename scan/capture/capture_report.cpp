#include "scan/capture/capture_report.hpp"

#include <openssl/x509.h>

#include <algorithm>
#include <map>

#include "scan/capture/cipher_suites.hpp"
#include "verify/name_match.hpp"
#include "verify/ossl.hpp"

namespace mratls::scan::capture {
namespace {

namespace doctor = verify::doctor;

PresentedCertificate presented(const std::string& der) {
  PresentedCertificate p{der, std::nullopt};
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  ossl::X509Ptr cert(d2i_X509(nullptr, &bytes, static_cast<long>(der.size())));
  if (cert) p.facts = doctor::certificate_facts(cert.get());
  return p;
}

std::string alert_text(const Alert& a) {
  if (a.encrypted) return "encrypted alert";
  return std::string(a.level == 2 ? "fatal " : a.level == 1 ? "warning " : "") + alert_name(a.description);
}

Observation observe(const Handshake& h) {
  Observation o;
  o.connections = 1;
  o.first_us = o.last_us = h.first_us;
  if (const auto& hello = h.from_client.client_hello) {
    o.sni = hello->sni;
    o.preference = cipher_preference(hello->cipher_suites);
    o.offered = offered_authentication(hello->cipher_suites);
    auto versions = hello->supported_versions.empty() ? std::vector<std::uint16_t>{hello->legacy_version} : hello->supported_versions;
    std::ranges::sort(versions, std::greater{});
    for (auto v : versions) o.offered_versions.push_back(version_name(v));
  }
  if (const auto& hello = h.from_server.server_hello) {
    o.version = version_name(hello->version);
    o.cipher = cipher_name(hello->cipher_suite);
    o.certificate_encrypted = hello->version >= kTls13;
  }
  o.chain_seen = h.from_server.certificate_message;
  for (const auto& der : h.from_server.certificates) o.chain.push_back(presented(der));
  for (const auto& a : h.from_server.alerts) o.alerts.push_back("origin: " + alert_text(a));
  for (const auto& a : h.from_client.alerts) o.alerts.push_back("client: " + alert_text(a));
  if (!h.from_client.problem.empty()) o.problems.push_back("client: " + h.from_client.problem);
  if (!h.from_server.problem.empty()) o.problems.push_back("origin: " + h.from_server.problem);
  if (!h.from_start) o.problems.push_back("the capture began after the connection opened");
  if (h.gap) o.problems.push_back("segments missing from the capture");
  return o;
}

bool same(const Observation& a, const Observation& b) {
  auto ders = [](const Observation& o) {
    std::vector<std::string> out;
    for (const auto& c : o.chain) out.push_back(c.der);
    return out;
  };
  return a.sni == b.sni && a.preference == b.preference && a.offered == b.offered && a.offered_versions == b.offered_versions && a.version == b.version &&
         a.cipher == b.cipher && a.chain_seen == b.chain_seen && ders(a) == ders(b) && a.alerts == b.alerts &&
         a.problems == b.problems;
}

std::string key_text(const doctor::PublicKeyFacts& k) {
  if (k.type == "ECDSA") return "ECDSA " + (k.curve == "prime256v1" ? std::string("P-256") : k.curve == "secp384r1" ? "P-384" : k.curve);
  return k.type + " " + std::to_string(k.bits);
}

nlohmann::json facts_json(const doctor::CertificateFacts& f) {
  return {{"subject", f.subject_text},       {"issuer", f.issuer_text},
          {"dns_sans", f.dns_sans},          {"ip_sans", f.ip_sans},
          {"key", key_text(f.key)},          {"not_before", doctor::iso_time(f.not_before)},
          {"not_after", doctor::iso_time(f.not_after)}, {"sha256", f.sha256_fingerprint},
          {"self_signed", f.self_signed},    {"ca", f.is_ca}};
}

std::string presented_text(const Observation& s) {
  if (s.chain.empty() || !s.chain.front().facts) return "no readable certificate";
  const auto& f = *s.chain.front().facts;
  return f.subject_text + ", " + (f.self_signed ? "self-signed " : "issued by " + f.issuer_text + ", ") + key_text(f.key);
}

}  // namespace

std::string checked_name(const OriginCapture& origin, const Observation& seen) {
  return seen.sni.empty() ? origin.server.address : seen.sni;
}

namespace {

// Clocks of the capture host and of Expressway-C may differ by a little.
constexpr std::int64_t kClockSlackMs = 120'000;

bool overlaps(const Observation& seen, const OriginSummary& log) {
  if (log.first_failure_ms == 0 || seen.first_us == 0) return true;  // a time not known rules nothing out
  const std::int64_t from = seen.first_us / 1000 - kClockSlackMs, to = seen.last_us / 1000 + kClockSlackMs;
  return log.first_failure_ms <= to && log.last_failure_ms >= from;
}

// Without a trust store: whether the chain's shape shows the logged cause.
bool shape_shows(const Observation& seen, const OriginCapture& origin, verify::Cause cause) {
  if (seen.chain.empty() || !seen.chain.front().facts) return false;
  const auto& leaf = *seen.chain.front().facts;
  const auto at = static_cast<std::time_t>(seen.first_us / 1000000);
  using C = verify::Cause;
  switch (cause) {
    case C::SelfSigned: return leaf.self_signed;
    case C::UntrustedChain:
    case C::MissingIntermediate:
    case C::RekeyedCa: return !leaf.self_signed;
    case C::Expired: return leaf.not_after < at;
    case C::NotYetValid: return leaf.not_before > at;
    case C::NameNotInCertificate:
    case C::IpNotInCertificate:
      return verify::match_certificate_name({leaf.dns_sans, leaf.ip_sans, leaf.first_cn}, checked_name(origin, seen)) ==
             verify::NameMatch::NoMatch;
    default: return false;
  }
}

bool explains(const Observation& seen, const OriginCapture& origin, const OriginSummary& log) {
  if (!overlaps(seen, log)) return false;
  if (seen.x142_accepted) return !*seen.x142_accepted && verify::lines_agree(log.diagnosis.cause, seen.x142_diagnosis.cause);
  return shape_shows(seen, origin, log.diagnosis.cause);
}

}  // namespace

void join_logs(std::vector<OriginCapture>& origins, std::vector<OriginSummary>& logged) {
  // A failure whose captured chain, judged with the trust store, names the CA at fault takes the
  // chain's cause and fix: its lines alone cannot tell a re-keyed CA or a left-out intermediate
  // from any CA the store lacks. Only when every chain that explains it says the same.
  std::map<std::size_t, std::vector<verify::Diagnosis>> finer;
  for (auto& origin : origins)
    for (auto& seen : origin.seen) {
      if (!seen.chain_seen) continue;
      for (std::size_t li = 0; li < logged.size(); ++li) {
        const auto& log = logged[li];
        if (log.port != origin.server.port || !log.troubled()) continue;
        if (log.host != seen.sni && log.host != origin.server.address) continue;
        if (!explains(seen, origin, log)) continue;
        std::string join = std::to_string(origin.server.port) + " presented " + presented_text(seen) + ", to " +
                           (seen.preference ? std::string("an ") + verify::label(*seen.preference) : std::string("a TLS 1.3-only")) + " ClientHello; that is the " +
                           verify::to_string(log.diagnosis.cause) + " failure of " + log.host + ":" +
                           std::to_string(log.port) + " in the logs (" + log.diagnosis.summary + ", " +
                           (log.failed ? std::to_string(log.failed) + " failed" : std::to_string(log.warned) + " warned") + ")";
        // The chain says more than the line: which CA, and on which box to fix it.
        if (seen.x142_accepted && seen.x142_diagnosis.cause != log.diagnosis.cause)
          join += "; the chain shows which: " + seen.x142_diagnosis.summary;
        if (seen.x142_accepted) finer[li].push_back(seen.x142_diagnosis);
        seen.log_joins.push_back(std::move(join));
      }
    }
  // Where the capture shows no certificate (under TLS 1.3 it travels encrypted; a handshake can
  // end before the node sends one), the hellos still speak: the version the node chose, and what
  // the ClientHello offered. The fix is fitted to them: under TLS 1.3 it does not offer the
  // cipher prefix, which cannot choose the certificate there; a ClientHello that offers no suite
  // for the node's certificate explains a handshake failure.
  for (std::size_t li = 0; li < logged.size(); ++li) {
    auto& log = logged[li];
    if (!log.troubled() || finer.contains(li)) continue;
    bool seen_hello = false, tls13 = false, rsa_first = true;
    std::optional<verify::Offered> offered;
    for (const auto& origin : origins)
      for (const auto& seen : origin.seen) {
        if (log.port != origin.server.port || (log.host != seen.sni && log.host != origin.server.address)) continue;
        if (seen.chain_seen || !seen.offered || !overlaps(seen, log)) continue;
        seen_hello = true;
        tls13 = tls13 || seen.version == "TLSv1.3";
        rsa_first = rsa_first && seen.preference == verify::CertificatePreference::Rsa;
        if (!offered) offered = seen.offered;
      }
    if (!seen_hello || log.facts.findings.empty()) continue;
    auto facts = log.facts;
    if (tls13) facts.tls13 = true;
    facts.offered = offered;
    facts.source = verify::Source::Capture;
    facts.preference = rsa_first ? verify::CertificatePreference::Rsa : verify::CertificatePreference::Ecdsa;
    log.diagnosis = verify::diagnose(facts);
    log.facts = std::move(facts);
  }
  for (auto& [li, diagnoses] : finer) {
    const bool one = std::ranges::all_of(diagnoses, [&](const verify::Diagnosis& d) {
      return d.cause == diagnoses.front().cause && d.fix == diagnoses.front().fix;
    });
    if (!one) continue;
    auto& log = logged[li];
    if (log.diagnosis.cause != diagnoses.front().cause)
      log.notes.push_back("cause and fix from the chain captured for it (its lines alone say: " + log.diagnosis.summary + ")");
    log.diagnosis = diagnoses.front();
  }
}

bool shows_failure(const OriginCapture& origin) {
  return std::ranges::any_of(origin.seen, [](const Observation& s) {
    return (s.x142_accepted && !*s.x142_accepted) ||
           std::ranges::any_of(s.alerts, [](const std::string& a) { return a.find(": fatal ") != std::string::npos; });
  });
}

std::vector<OriginCapture> by_origin(const std::vector<Handshake>& handshakes) {
  std::vector<OriginCapture> out;
  for (const auto& h : handshakes) {
    if (!h.from_client.tls && !h.from_server.tls) continue;  // not TLS: nothing to say here
    auto origin = std::ranges::find_if(out, [&](const OriginCapture& o) { return o.server == h.server; });
    if (origin == out.end()) origin = out.insert(out.end(), OriginCapture{h.server, {}});
    auto o = observe(h);
    auto seen = std::ranges::find_if(origin->seen, [&](const Observation& s) { return same(s, o); });
    if (seen != origin->seen.end()) {
      ++seen->connections;
      seen->first_us = std::min(seen->first_us, o.first_us);
      seen->last_us = std::max(seen->last_us, o.last_us);
    }
    else origin->seen.push_back(std::move(o));
  }
  return out;
}

void print_capture(const std::vector<OriginCapture>& origins, std::ostream& os) {
  for (const auto& origin : origins) {
    std::size_t total = 0;
    for (const auto& s : origin.seen) total += s.connections;
    os << "\n" << endpoint_text(origin.server) << "  " << total << " TLS connection" << (total == 1 ? "" : "s") << " captured\n";
    for (const auto& s : origin.seen) {
      os << "  " << s.connections << "x ClientHello: SNI " << (s.sni.empty() ? "(none)" : s.sni);
      os << ", " << verify::label(s.preference);
      if (!s.offered_versions.empty()) {
        os << ", offers";
        for (const auto& v : s.offered_versions) os << " " << v;
      }
      os << "\n";
      if (!s.version.empty()) os << "     ServerHello: " << s.version << ", " << s.cipher << "\n";
      if (s.certificate_encrypted)
        os << "     certificate: encrypted (TLS 1.3); what shows is the SNI, the offers, the version and suite "
              "chosen and any alert before encryption. Decrypt with a key log (log.keylog_file) to see the chain\n";
      if (s.chain_seen) {
        os << "     chain presented (" << s.chain.size() << "):\n";
        for (std::size_t i = 0; i < s.chain.size(); ++i) {
          const auto& c = s.chain[i];
          if (!c.facts) {
            os << "       " << i << " (not a parseable certificate, " << c.der.size() << " bytes)\n";
            continue;
          }
          const auto& f = *c.facts;
          os << "       " << i << " " << f.subject_text << (f.self_signed ? " (self-signed)" : ", issued by " + f.issuer_text)
             << "\n          " << key_text(f.key) << ", valid " << doctor::iso_day(f.not_before) << " to "
             << doctor::iso_day(f.not_after) << ", SHA-256 " << f.sha256_fingerprint << "\n";
          if (!f.dns_sans.empty() || !f.ip_sans.empty()) {
            os << "          SANs:";
            for (const auto& d : f.dns_sans) os << " DNS:" << d;
            for (const auto& ip : f.ip_sans) os << " IP:" << ip;
            os << "\n";
          }
        }
      }
      for (const auto& a : s.alerts) os << "     alert " << a << "\n";
      if (s.x142_accepted) {
        os << "     X14.2 with this trust store, for " << checked_name(origin, s) << ": "
           << (*s.x142_accepted ? "accepted" : "refused") << "\n";
        for (const auto& l : s.x142_lines) os << "        " << l << "\n";
      }
      for (const auto& j : s.log_joins) os << "     logs: " << j << "\n";
      for (const auto& p : s.problems) os << "     note: " << p << "\n";
    }
  }
}

nlohmann::json capture_json(const std::vector<OriginCapture>& origins) {
  auto out = nlohmann::json::array();
  for (const auto& origin : origins) {
    auto seen = nlohmann::json::array();
    for (const auto& s : origin.seen) {
      auto chain = nlohmann::json::array();
      for (const auto& c : s.chain) chain.push_back(c.facts ? facts_json(*c.facts) : nlohmann::json{{"unparseable_bytes", c.der.size()}});
      seen.push_back({{"connections", s.connections}, {"sni", s.sni}, {"cipher_preference", verify::label(s.preference)},
                      {"offered_versions", s.offered_versions}, {"version", s.version}, {"cipher", s.cipher},
                      {"certificate_encrypted", s.certificate_encrypted},
                      {"chain", s.chain_seen ? chain : nlohmann::json(nullptr)}, {"alerts", s.alerts}, {"notes", s.problems},
                      {"x142_accepted", s.x142_accepted ? nlohmann::json(*s.x142_accepted) : nlohmann::json(nullptr)},
                      {"x142_lines", s.x142_lines}, {"logs", s.log_joins}});
    }
    out.push_back({{"origin", endpoint_text(origin.server)}, {"address", origin.server.address}, {"port", origin.server.port},
                   {"handshakes", seen}});
  }
  return out;
}

}  // namespace mratls::scan::capture
