// What the captures show per origin address:port: each distinct handshake (the client's SNI,
// cipher preference and versions, the server's version and suite, the chain it presented with
// the doctor's facts, the alerts), counted. Plain values, then text and JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "scan/capture/connections.hpp"
#include "scan/scanner.hpp"
#include "verify/doctor/certificate_facts.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::scan::capture {

struct PresentedCertificate {
  std::string der;
  std::optional<verify::doctor::CertificateFacts> facts;  // nothing when the DER does not parse
};

struct Observation {
  std::size_t connections = 0;
  std::string sni;
  std::optional<verify::CertificatePreference> preference;  // the ClientHello's; nothing: TLS 1.3 suites only
  std::optional<verify::Offered> offered;                   // what its TLS 1.2 suites let a node present
  std::vector<std::string> offered_versions;  // newest first
  std::string version;                        // chosen by the server; "" when no ServerHello was seen
  std::string cipher;
  bool certificate_encrypted = false;         // TLS 1.3: the chain travels encrypted
  bool chain_seen = false;
  std::vector<PresentedCertificate> chain;
  std::vector<std::string> alerts;            // "origin: fatal unknown_ca", "client: encrypted alert"
  std::vector<std::string> problems;          // what stopped the reading, per direction
  std::int64_t first_us = 0;                  // when the first of these connections was captured
  std::int64_t last_us = 0;                   // and the last
  // With a trust store: X14.2's verdict on this chain, for the SNI (or the address) used.
  std::optional<bool> x142_accepted;
  verify::Diagnosis x142_diagnosis;  // for a refused chain: the cause and fix, as check gives them
  std::vector<std::string> x142_lines;
  std::vector<std::string> log_joins;  // the failures of the same origin in the logs given with it
};

struct OriginCapture {
  Endpoint server;
  std::vector<Observation> seen;
};

std::vector<OriginCapture> by_origin(const std::vector<Handshake>& handshakes);

// What the logs given with the capture say about the same origin (the same port, and the SNI or
// the address as its host): the presented chain tied to the failure it explains — only one it
// can explain: the same origin, at a time that overlaps, and the same cause under the proxy's
// verifier (or, without a trust store, a chain whose shape shows that cause). A failure whose
// chains, judged with the trust store, all give one answer takes it: the chain names the
// certificate at fault and may show a finer cause (the CA re-keyed, the intermediate left out)
// than the lines can, which a note then says.
void join_logs(std::vector<OriginCapture>& origins, std::vector<OriginSummary>& logged);

// Whether the capture itself shows a failure: a chain X14.2 refuses, or a fatal alert.
bool shows_failure(const OriginCapture& origin);

// The name X14.2 checks the chain against: the SNI, or the address when the client sent none.
std::string checked_name(const OriginCapture& origin, const Observation& seen);

void print_capture(const std::vector<OriginCapture>& origins, std::ostream& os);
nlohmann::json capture_json(const std::vector<OriginCapture>& origins);

}  // namespace mratls::scan::capture
