// mratls cert: the certificate doctor. `verify` runs the proxy's own verifier offline and
// prints the verdict with the exact lines X14.2 would write.
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/commands.hpp"
#include "logs/line_format.hpp"
#include "logs/log_record.hpp"
#include "proxy/mra_path.hpp"
#include "verify/certificate_file.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/origin_verification.hpp"
#include "verify/x509_text.hpp"

namespace mratls::cli {
namespace {

struct VerifyOptions {
  std::string cert;
  std::string chain;
  std::vector<std::string> trust;
  std::string name;
  std::string ip;
  std::string at;
  int security_level = 1;
  bool json = false;
};

int run_verify(const VerifyOptions& o) {
  auto certs = verify::read_certificates(o.cert);
  if (!certs) {
    std::cerr << "mratls cert verify: " << certs.error() << "\n";
    return kUsage;
  }
  std::vector<ossl::X509Ptr> untrusted;
  // A file holding the leaf and its chain counts as what the origin sends.
  for (std::size_t i = 1; i < certs->size(); ++i) untrusted.push_back(std::move((*certs)[i]));
  if (!o.chain.empty()) {
    auto chain = verify::read_certificates(o.chain);
    if (!chain) {
      std::cerr << "mratls cert verify: " << chain.error() << "\n";
      return kUsage;
    }
    for (auto& c : *chain) untrusted.push_back(std::move(c));
  }
  std::vector<ossl::X509Ptr> anchors;
  for (const auto& file : o.trust) {
    auto t = verify::read_certificates(file);
    if (!t) {
      std::cerr << "mratls cert verify: " << t.error() << "\n";
      return kUsage;
    }
    for (auto& c : *t) anchors.push_back(std::move(c));
  }
  std::optional<std::time_t> at;
  if (!o.at.empty()) {
    auto ms = logs::parse_syslog_time(o.at);
    if (!ms) {
      std::cerr << "mratls cert verify: --at '" << o.at << "' is not a time such as 2026-11-22T10:00:00+00:00\n";
      return kUsage;
    }
    at = static_cast<std::time_t>(*ms / 1000);
  }
  if (!proxy::is_ip_literal(o.name) && !proxy::is_dns_name(o.name)) {
    std::cerr << "mratls cert verify: --name '" << o.name << "' is neither a DNS name nor an IP address\n";
    return kUsage;
  }
  auto trust = verify::TrustStore::from_certificates(std::move(anchors));
  const std::string ip = o.ip.empty() ? (proxy::is_ip_literal(o.name) ? o.name : std::string("?")) : o.ip;
  verify::OriginVerification verification({o.name, o.name, ip}, verify::Enforcement::LogOnly);
  std::vector<X509*> chain;
  for (auto& c : untrusted) chain.push_back(c.get());
  const bool accepted = verification.verify_offline(certs->front().get(), chain, trust, o.security_level, at);

  std::vector<std::string> lines;
  if (!accepted) {
    lines.push_back(logs::verification_line(0, verification.findings().front(), verification.identity(),
                                            verify::Enforcement::Enforce, config::OpenSslText::Expressway));
    lines.push_back(logs::ssl_failed_line(0, o.name, verify::certificate_verify_failed_text(config::OpenSslText::Expressway)));
  }
  auto leaf = verify::summarize(certs->front().get());
  if (o.json) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : verification.findings())
      findings.push_back({{"kind", f.kind == verify::Finding::Kind::Name ? "name" : "chain"}, {"depth", f.depth},
                          {"text", f.kind == verify::Finding::Kind::Name
                                       ? std::string("name not in certificate")
                                       : verify::x509_error_text(f.x509_error, config::OpenSslText::Expressway)}});
    std::cout << nlohmann::json{{"accepted", accepted}, {"leaf", leaf.subject}, {"name", o.name}, {"findings", findings},
                                {"lines", lines}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << leaf.subject << "\n  issued by " << leaf.issuer << ", valid " << leaf.not_before << " .. " << leaf.not_after
              << "\n  X14.2 with VerifyOriginServer On, for " << o.name << ": " << (accepted ? "accepted" : "REFUSED") << "\n";
    for (const auto& l : lines) std::cout << "  " << l << "\n";
    if (verification.findings().size() > 1) {
      std::cout << "  every check (as log-only mode logs them):\n";
      for (const auto& f : verification.findings())
        std::cout << "    " << logs::verification_line(0, f, verification.identity(), verify::Enforcement::LogOnly,
                                                       config::OpenSslText::Expressway)
                  << "\n";
    }
  }
  return accepted ? kOk : kFindings;
}

}  // namespace

Action add_cert(CLI::App& app) {
  auto* cmd = app.add_subcommand("cert", "Certificate doctor (verify with the proxy's own verifier, offline)");
  cmd->require_subcommand(1);
  auto* verify_cmd = cmd->add_subcommand("verify", "Verify a certificate as X14.2's traffic server would, offline");
  auto o = std::make_shared<VerifyOptions>();
  verify_cmd->add_option("--cert", o->cert, "The origin's certificate (PEM, DER or PKCS#7; more than one: the chain it sends)")->required();
  verify_cmd->add_option("--chain", o->chain, "Intermediates the origin sends");
  verify_cmd->add_option("--trust", o->trust, "The Expressway-C trust store (repeatable)")->required();
  verify_cmd->add_option("--name", o->name, "The address Expressway connects to: the FQDN or IP in the MRA path")->required();
  verify_cmd->add_option("--ip", o->ip, "The origin's IP, for the lines' server=name(ip)");
  verify_cmd->add_option("--at", o->at, "Verify at this time instead of now");
  verify_cmd->add_option("--security-level", o->security_level, "OpenSSL security level")->check(CLI::Range(0, 5))->capture_default_str();
  verify_cmd->add_flag("--json", o->json, "Print JSON");
  return [o, verify_cmd]() { return verify_cmd->parsed() ? run_verify(*o) : kUsage; };
}

}  // namespace mratls::cli
