// The `mratls cert` subcommands and what they share: reading inputs the same way, the time to
// judge validity at, the proxy's verifier run offline, and the JSON shape of certificate facts.
#pragma once

#include <CLI/CLI.hpp>

#include <ctime>
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "verify/doctor/certificate_facts.hpp"
#include "verify/doctor/trust_store_audit.hpp"
#include "verify/origin_verification.hpp"
#include "verify/ossl.hpp"

namespace mratls::cli::cert {

Action add_verify(CLI::App& cert);
Action add_match(CLI::App& cert);
Action add_lint(CLI::App& cert);
Action add_truststore(CLI::App& cert);

// "now" when empty; else a time such as 2026-11-22T10:00:00Z.
std::expected<std::time_t, std::string> time_to_judge(const std::string& at);

// Every certificate of the files, named "file" (or "file#n" when a file holds several).
struct NamedCertificate {
  std::string source;
  ossl::X509Ptr cert;
};
std::expected<std::vector<NamedCertificate>, std::string> read_named(const std::vector<std::string>& files);
std::vector<verify::doctor::StoreEntry> entries_of(const std::vector<NamedCertificate>& certificates);

// The proxy's own verifier without a handshake, as X14.2 with VerifyOriginServer On would
// judge the leaf; `lines` are the appliance's log lines for a refusal.
struct OfflineVerdict {
  bool accepted = false;
  std::vector<verify::Finding> findings;  // every check, as log-only mode sees them
  verify::OriginIdentity identity;
  std::vector<std::string> lines;
  std::vector<std::string> every_check_lines;
};
OfflineVerdict verify_as_x14_2(X509* leaf, const std::vector<X509*>& untrusted, std::vector<ossl::X509Ptr> anchors,
                               const std::string& name, const std::string& ip, int security_level,
                               std::optional<std::time_t> at);

nlohmann::json key_json(const verify::doctor::PublicKeyFacts& key);
nlohmann::json facts_json(const verify::doctor::CertificateFacts& facts);

// A report to stderr that names the subcommand; returns kUsage.
int input_error(const std::string& command, const std::string& message);

}  // namespace mratls::cli::cert
