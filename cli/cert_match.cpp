// mratls cert match: does the certificate the CA returned belong to this CSR? The answer the
// platform gives at upload, before the upload.
#include <algorithm>
#include <iostream>

#include "cli/cert_commands.hpp"
#include "verify/certificate_file.hpp"
#include "verify/doctor/csr_match.hpp"

namespace mratls::cli::cert {
namespace {

namespace doctor = verify::doctor;

struct MatchOptions {
  std::string csr;
  std::string cert;
  bool json = false;
};

std::string joined(const std::vector<std::string>& values) {
  if (values.empty()) return "(none)";
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : " + ") + v;
  return out;
}

std::string key_line(const doctor::PublicKeyFacts& key) {
  std::string out = key.type + " " + std::to_string(key.bits);
  if (!key.curve.empty()) out += " (" + key.curve + ")";
  if (!key.modulus_md5.empty()) out += "  modulus MD5 " + key.modulus_md5;
  return out + "\n                 public key SHA-256 " + key.sha256;
}

void print_list(const char* title, const std::vector<std::string>& entries) {
  if (entries.empty()) return;
  std::cout << "  " << title << ":\n";
  for (const auto& e : entries) std::cout << "    " << e << "\n";
}

void print_text(const MatchOptions& o, const doctor::RequestFacts& request, const doctor::CertificateFacts& certificate,
                const doctor::MatchReport& r) {
  std::cout << "CSR          " << o.csr << "\n             " << request.subject_text << "\n";
  std::cout << "Certificate  " << o.cert << "\n             " << certificate.subject_text << "\n             issued by "
            << certificate.issuer_text << "\n\n";
  std::cout << "Public key\n  CSR          " << key_line(r.request_key) << "\n  Certificate  " << key_line(r.certificate_key)
            << "\n  " << (r.key_matches ? "same key" : "DIFFERENT keys: the certificate was not issued for this CSR") << "\n";
  if (!r.request_signature_valid) std::cout << "  note: the CSR's own signature does not verify (was it edited?)\n";
  std::cout << "\nSubject, field by field (CSR | certificate)\n";
  for (const auto& f : r.subject)
    std::cout << "  " << f.field << "  " << joined(f.request) << " | " << joined(f.certificate) << "  "
              << (f.equal ? "same" : "differs") << "\n";
  std::cout << "\nSubject Alternative Names, compared as sets\n";
  print_list("in both", r.sans.common);
  print_list("missing from the certificate", r.sans.missing_from_certificate);
  print_list("added by the CA", r.sans.added_by_ca);
  for (const auto& e : r.sans.explanations) std::cout << "  - " << e << "\n";
  std::cout << "\n";
  if (r.matches()) std::cout << "The certificate matches the CSR: same public key, same SANs, same CN.\n";
  for (const auto& m : r.mismatches) std::cout << m << "\n";
}

nlohmann::json report_json(const MatchOptions& o, const doctor::MatchReport& r) {
  nlohmann::json subject = nlohmann::json::array();
  for (const auto& f : r.subject)
    subject.push_back({{"field", f.field}, {"csr", f.request}, {"certificate", f.certificate}, {"equal", f.equal}});
  return {{"schema", "mratls.cert.match/1"},
          {"csr", o.csr},
          {"certificate", o.cert},
          {"matches", r.matches()},
          {"key", {{"matches", r.key_matches}, {"csr", key_json(r.request_key)}, {"certificate", key_json(r.certificate_key)}}},
          {"csr_signature_valid", r.request_signature_valid},
          {"subject", subject},
          {"san",
           {{"matches", r.sans.matches()},
            {"common", r.sans.common},
            {"missing_from_certificate", r.sans.missing_from_certificate},
            {"added_by_ca", r.sans.added_by_ca},
            {"explanations", r.sans.explanations}}},
          {"mismatches", r.mismatches}};
}

int run_match(const MatchOptions& o) {
  auto request = verify::read_request(o.csr);
  if (!request) return input_error("match", request.error());
  auto certs = verify::read_certificates(o.cert);
  if (!certs) return input_error("match", certs.error());
  // A bundle from the CA: the certificate for the CSR is the one that is not a CA.
  std::vector<doctor::CertificateFacts> bundle;
  for (const auto& c : *certs) bundle.push_back(doctor::certificate_facts(c.get()));
  auto leaf = std::ranges::find_if(bundle, [](const doctor::CertificateFacts& f) { return !f.is_ca; });
  const auto& certificate_facts = leaf != bundle.end() ? *leaf : bundle.front();
  const auto request_facts = doctor::request_facts(request->get());
  const auto report = doctor::match(request_facts, certificate_facts);
  if (o.json) std::cout << json_text(report_json(o, report)) << "\n";
  else print_text(o, request_facts, certificate_facts, report);
  return report.matches() ? kOk : kFindings;
}

}  // namespace

Action add_match(CLI::App& cert) {
  auto* cmd = cert.add_subcommand("match", "Does a certificate belong to a CSR? Public key, subject and SANs compared");
  auto o = std::make_shared<MatchOptions>();
  cmd->add_option("--csr", o->csr, "The certificate signing request (PEM or DER)")->required();
  cmd->add_option("--cert", o->cert, "The certificate the CA returned (PEM, DER or PKCS#7 bundle)")->required();
  cmd->add_flag("--json", o->json, "Print JSON");
  return [o] { return run_match(*o); };
}

}  // namespace mratls::cli::cert
