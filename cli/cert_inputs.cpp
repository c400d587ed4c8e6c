#include <iostream>

#include "cli/cert_commands.hpp"
#include "scan/log_record.hpp"

namespace mratls::cli::cert {

std::expected<std::time_t, std::string> time_to_judge(const std::string& at) {
  if (at.empty()) return std::time(nullptr);
  auto ms = scan::parse_syslog_time(at);
  if (!ms) return std::unexpected("--at '" + at + "' is not a time such as 2026-11-22T10:00:00Z");
  return static_cast<std::time_t>(*ms / 1000);
}

nlohmann::json key_json(const verify::doctor::PublicKeyFacts& key) {
  nlohmann::json j{{"type", key.type}, {"bits", key.bits}, {"sha256", key.sha256}};
  if (!key.modulus_md5.empty()) j["modulus_md5"] = key.modulus_md5;
  if (!key.curve.empty()) j["curve"] = key.curve;
  return j;
}

nlohmann::json facts_json(const verify::doctor::CertificateFacts& f) {
  nlohmann::json extensions = nlohmann::json::array();
  for (const auto& e : f.extensions) extensions.push_back({{"name", e.name}, {"critical", e.critical}});
  return {{"subject", f.subject_text},
          {"issuer", f.issuer_text},
          {"cn", f.first_cn ? nlohmann::json(*f.first_cn) : nlohmann::json()},
          {"dns_sans", f.dns_sans},
          {"ip_sans", f.ip_sans},
          {"key", key_json(f.key)},
          {"signature_algorithm", f.signature_algorithm},
          {"not_before", verify::doctor::iso_time(f.not_before)},
          {"not_after", verify::doctor::iso_time(f.not_after)},
          {"extensions", extensions},
          {"extended_key_usage", f.extended_key_usage},
          {"ca", f.is_ca},
          {"self_signed", f.self_signed},
          {"sha256_fingerprint", f.sha256_fingerprint}};
}

int input_error(const std::string& command, const std::string& message) {
  std::cerr << "mratls cert " << command << ": " << message << "\n";
  return kUsage;
}

}  // namespace mratls::cli::cert
