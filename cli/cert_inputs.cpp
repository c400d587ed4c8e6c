#include <iostream>

#include "cli/cert_commands.hpp"
#include "logs/line_format.hpp"
#include "scan/log_record.hpp"
#include "verify/certificate_file.hpp"
#include "verify/x509_text.hpp"

namespace mratls::cli::cert {

std::expected<std::time_t, std::string> time_to_judge(const std::string& at) {
  if (at.empty()) return std::time(nullptr);
  auto ms = scan::parse_syslog_time(at);
  if (!ms) return std::unexpected("--at '" + at + "' is not a time such as 2026-11-22T10:00:00Z");
  return static_cast<std::time_t>(*ms / 1000);
}

std::expected<std::vector<NamedCertificate>, std::string> read_named(const std::vector<std::string>& files) {
  std::vector<NamedCertificate> out;
  for (const auto& file : files) {
    auto certs = verify::read_certificates(file);
    if (!certs) return std::unexpected(certs.error());
    const bool several = certs->size() > 1;
    for (std::size_t i = 0; i < certs->size(); ++i)
      out.push_back({several ? file + "#" + std::to_string(i + 1) : file, std::move((*certs)[i])});
  }
  return out;
}

std::vector<verify::doctor::StoreEntry> entries_of(const std::vector<NamedCertificate>& certificates) {
  std::vector<verify::doctor::StoreEntry> out;
  for (const auto& c : certificates) out.push_back({c.source, verify::doctor::certificate_facts(c.cert.get())});
  return out;
}

OfflineVerdict verify_as_x14_2(X509* leaf, const std::vector<X509*>& untrusted, std::vector<ossl::X509Ptr> anchors,
                               const std::string& name, const std::string& ip, int security_level,
                               std::optional<std::time_t> at) {
  auto trust = verify::TrustStore::from_certificates(std::move(anchors));
  verify::OriginVerification verification({name, name, ip}, verify::Enforcement::LogOnly);
  OfflineVerdict v;
  v.accepted = verification.verify_offline(leaf, untrusted, trust, security_level, at);
  v.findings = verification.findings();
  v.identity = verification.identity();
  if (!v.accepted) {
    v.lines.push_back(logs::verification_line(0, v.findings.front(), v.identity, verify::Enforcement::Enforce,
                                              config::OpenSslText::Expressway));
    v.lines.push_back(logs::ssl_failed_line(0, name, verify::certificate_verify_failed_text(config::OpenSslText::Expressway)));
  }
  for (const auto& f : v.findings)
    v.every_check_lines.push_back(
        logs::verification_line(0, f, v.identity, verify::Enforcement::LogOnly, config::OpenSslText::Expressway));
  return v;
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
