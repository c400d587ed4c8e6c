// mratls cert verify: the proxy's own verifier offline; the verdict with the exact lines X14.2
// would write.
#include <iostream>

#include "check/offline_verdict.hpp"
#include "cli/cert_commands.hpp"
#include "mra/mra_path.hpp"
#include "verify/certificate_file.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/finding_json.hpp"

namespace mratls::cli::cert {
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
  const std::string command = "verify";
  auto certs = verify::read_certificates(o.cert);
  if (!certs) return input_error(command, certs.error());
  // A file holding the leaf and its chain counts as what the origin sends.
  std::vector<ossl::X509Ptr> untrusted;
  for (std::size_t i = 1; i < certs->size(); ++i) untrusted.push_back(std::move((*certs)[i]));
  if (!o.chain.empty()) {
    auto chain = verify::read_certificates(o.chain);
    if (!chain) return input_error(command, chain.error());
    for (auto& c : *chain) untrusted.push_back(std::move(c));
  }
  std::vector<ossl::X509Ptr> anchors;
  for (const auto& file : o.trust) {
    auto t = verify::read_certificates(file);
    if (!t) return input_error(command, t.error());
    for (auto& c : *t) anchors.push_back(std::move(c));
  }
  std::optional<std::time_t> at;
  if (!o.at.empty()) {
    auto when = time_to_judge(o.at);
    if (!when) return input_error(command, when.error());
    at = *when;
  }
  if (!mra::is_ip_literal(o.name) && !mra::is_dns_name(o.name))
    return input_error(command, "--name '" + o.name + "' is neither a DNS name nor an IP address");

  const std::string ip = o.ip.empty() ? (mra::is_ip_literal(o.name) ? o.name : std::string("?")) : o.ip;
  std::vector<X509*> chain;
  for (auto& c : untrusted) chain.push_back(c.get());
  auto verdict = check::verify_as_x14_2(certs->front().get(), chain, std::move(anchors), o.name, ip, o.security_level, at);

  auto leaf = verify::summarize(certs->front().get());
  if (o.json) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : verdict.findings)
      findings.push_back(verify::finding_json(f));
    std::cout << json_text(nlohmann::json{{"schema", "mratls.cert.verify/1"}, {"accepted", verdict.accepted}, {"leaf", leaf.subject}, {"name", o.name},
                                {"findings", findings},         {"lines", verdict.lines},
                                {"cause", verdict.accepted ? nullptr : nlohmann::json(verify::to_string(verdict.diagnosis.cause))},
                                {"reason", verdict.accepted ? nullptr : nlohmann::json(verdict.diagnosis.summary)},
                                {"fix", verdict.accepted ? nullptr : nlohmann::json(verdict.diagnosis.fix)}})
              << "\n";
  } else {
    std::cout << leaf.subject << "\n  issued by " << leaf.issuer << ", valid " << leaf.not_before << " .. " << leaf.not_after
              << "\n  X14.2 with VerifyOriginServer On, for " << o.name << ": " << (verdict.accepted ? "accepted" : "REFUSED")
              << "\n";
    for (const auto& l : verdict.lines) std::cout << "  " << l << "\n";
    if (!verdict.accepted)
      std::cout << "  cause: " << verify::to_string(verdict.diagnosis.cause) << ": " << verdict.diagnosis.summary
                << "\n  fix: " << verdict.diagnosis.fix << "\n";
    if (verdict.findings.size() > 1) {
      std::cout << "  every check (as log-only mode logs them):\n";
      for (const auto& l : verdict.every_check_lines) std::cout << "    " << l << "\n";
    }
  }
  return verdict.accepted ? kOk : kFindings;
}

}  // namespace

Action add_verify(CLI::App& cert) {
  auto* cmd = cert.add_subcommand("verify", "Verify a certificate as X14.2's traffic server would, offline");
  auto o = std::make_shared<VerifyOptions>();
  cmd->add_option("--cert", o->cert, "The origin's certificate (PEM, DER or PKCS#7; more than one: the chain it sends)")
      ->required();
  cmd->add_option("--chain", o->chain, "Intermediates the origin sends");
  cmd->add_option("--trust", o->trust, "The Expressway-C trust store (repeatable)")->required();
  cmd->add_option("--name", o->name, "The address Expressway connects to: the FQDN or IP in the MRA path")->required();
  cmd->add_option("--ip", o->ip, "The origin's IP, for the lines' server=name(ip)");
  cmd->add_option("--at", o->at, "Verify at this time instead of now (2026-11-22T10:00:00Z)");
  cmd->add_option("--security-level", o->security_level, "OpenSSL security level")->check(CLI::Range(0, 5))->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON");
  return [o] { return run_verify(*o); };
}

}  // namespace mratls::cli::cert
