// The site a snapshot shows, as plain values: its domains, every origin as it was addressed with
// its server type, the requests that reached it in order, its outcome and cause, and the settings
// the lines imply. Pure: scan's transactions in, one model per Expressway-C system out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "mra/mra_path.hpp"
#include "verify/doctor/certificate_facts.hpp"
#include "scan/scanner.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::replay {

struct SiteRequest {
  std::string method;
  std::string path;
  std::string user;  // the access line's Username=; empty when none was logged
  int status = 0;
  std::int64_t at_ms = 0;
};

// What a packet capture shows of an origin's handshake: the client's cipher preference, the
// version the node chose, and the chain it sent (none under TLS 1.3, where it travels encrypted).
struct CapturedTls {
  std::optional<verify::CertificatePreference> preference;  // as the ClientHello orders its suites; nothing: TLS 1.3 only
  std::string version;     // TLSv1.2, TLSv1.3; "" when no ServerHello was seen
  std::vector<verify::doctor::CertificateFacts> chain;  // as sent, leaf first
  std::int64_t at_ms = 0;  // when it was captured (Unix ms)

  bool tls13() const { return version == "TLSv1.3"; }
  bool ecdsa_leaf() const { return !chain.empty() && chain.front().key.type == "ECDSA"; }
};

struct SiteOrigin {
  std::string host;  // as addressed: an FQDN, or the IP the cluster advertises
  int port = 0;
  std::string protocol;
  bool host_is_ip = false;
  std::string domain;  // the MRA domain its first request carried
  config::ServerType type = config::ServerType::UnifiedCm;
  std::vector<SiteRequest> requests;
  // The request that stands for the origin: the first that failed (5xx or 403), else the first
  // with WARNING/ERROR lines (a log-only site's warnings), else the first.
  std::size_t shown = 0;
  bool failed = false;                 // the shown request got a 5xx or a 403
  verify::Diagnosis diagnosis;         // from the shown request's lines
  std::vector<std::string> lines;      // the shown request's WARNING/ERROR (and denial) lines
  std::optional<CapturedTls> captured;  // the handshake a capture shows, nearest the shown request

  int status() const { return requests.empty() ? 0 : requests[shown].status; }
  // Failed, or passed with lines that say it would fail under VerifyOriginServer On.
  bool troubled() const { return failed || !lines.empty(); }
  std::string name() const { return mra::host_port(host, port); }
};

// What the lines say of VerifyOriginServer and the version. Unknown stays unknown: a site whose
// lines carry no verification line was either below X14.2 or had VerifyOriginServer Off.
struct InferredSettings {
  std::optional<config::VerifyOriginServer> verify;
  bool verifies_per_request = false;  // X14.2 or later with On or log-only, as the lines show
  std::optional<verify::CertificatePreference> preference;  // the ClientHello's, when a capture shows one
  std::vector<std::string> evidence;  // why, one sentence each
};

struct SiteModel {
  std::string system;  // the syslog host of the lines
  std::vector<std::string> domains;
  std::vector<SiteOrigin> origins;  // in the order they were first reached
  InferredSettings settings;
};

// The server type from the allow-list rule's Type= when logged, else from the port and path.
config::ServerType server_type(const std::string& rule_type, int port, const std::string& path);

// One model per system, in the order their first lines came.
std::vector<SiteModel> infer_sites(const std::vector<scan::TransactionRecord>& transactions);

}  // namespace mratls::replay
