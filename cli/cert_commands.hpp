// The `mratls cert` subcommands and what they share: reading inputs the same way, the time to
// judge validity at and the JSON shape of certificate facts.
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


nlohmann::json key_json(const verify::doctor::PublicKeyFacts& key);
nlohmann::json facts_json(const verify::doctor::CertificateFacts& facts);

// A report to stderr that names the subcommand; returns kUsage.
int input_error(const std::string& command, const std::string& message);

}  // namespace mratls::cli::cert
