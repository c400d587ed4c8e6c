// mratls cert truststore: the Expressway-C trust store audited, and for each node certificate
// given with --leaf, whether X14.2 can build its chain from the store and what is missing.
#include <iostream>

#include "check/offline_verdict.hpp"
#include "cli/cert_commands.hpp"
#include "verify/certificate_file.hpp"
#include "verify/finding_json.hpp"

namespace mratls::cli::cert {
namespace {

namespace doctor = verify::doctor;

struct TrustStoreOptions {
  std::vector<std::string> files;
  std::vector<std::string> leaves;
  std::string at;
  int security_level = 1;
  bool json = false;
};

struct LeafResult {
  doctor::LeafChain chain;
  check::OfflineVerdict verdict;
};

// The name the leaf is checked against does not matter here: only chain findings are kept.
std::string any_name_of(const doctor::CertificateFacts& f) {
  if (!f.dns_sans.empty()) return f.dns_sans.front();
  return f.first_cn.value_or("origin");
}

std::expected<LeafResult, std::string> check_leaf(const std::string& file, const std::vector<verify::NamedCertificate>& store,
                                                  const std::vector<doctor::StoreEntry>& entries, std::time_t at,
                                                  int security_level) {
  auto certs = verify::read_certificates(file);
  if (!certs) return std::unexpected(certs.error());
  const auto leaf = doctor::certificate_facts(certs->front().get());
  std::vector<doctor::CertificateFacts> sent;
  std::vector<X509*> untrusted;
  for (std::size_t i = 1; i < certs->size(); ++i) {
    sent.push_back(doctor::certificate_facts((*certs)[i].get()));
    untrusted.push_back((*certs)[i].get());
  }
  std::vector<ossl::X509Ptr> anchors;
  for (const auto& c : store) anchors.push_back(ossl::up_ref(c.cert.get()));
  LeafResult result{
      doctor::build_chain({file, leaf}, sent, entries),
      check::verify_as_x14_2(certs->front().get(), untrusted, std::move(anchors), any_name_of(leaf), "?", security_level, at)};
  std::erase_if(result.verdict.findings,
                [](const verify::Finding& f) { return f.kind == verify::Finding::Kind::Name; });
  result.verdict.accepted = result.verdict.findings.empty();
  return result;
}

std::string chain_text(const doctor::LeafChain& chain) {
  std::string out;
  for (const auto& link : chain.path)
    out += (out.empty() ? "" : "\n      <- ") + link.subject + "  [" + link.source + "]";
  if (chain.missing_subject) out += "\n      <- " + *chain.missing_subject + "  [MISSING]";
  return out;
}

nlohmann::json truststore_json(std::time_t when, const std::vector<doctor::StoreEntry>& entries,
                               const std::vector<doctor::StoreFinding>& findings,
                               const std::vector<LeafResult>& leaves) {
  nlohmann::json entry_list = nlohmann::json::array(), finding_list = nlohmann::json::array(),
                 leaf_list = nlohmann::json::array();
  for (const auto& e : entries) entry_list.push_back({{"source", e.source}, {"certificate", facts_json(e.facts)}});
  for (const auto& f : findings)
    finding_list.push_back({{"rule", f.rule},
                            {"severity", doctor::to_string(f.severity)},
                            {"message", f.message},
                            {"entries", f.entries}});
  for (const auto& l : leaves) {
    nlohmann::json path = nlohmann::json::array();
    for (const auto& link : l.chain.path)
      path.push_back({{"subject", link.subject}, {"source", link.source}, {"from_store", link.from_store}});
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& f : l.verdict.findings)
      errors.push_back(verify::finding_json(f));
    leaf_list.push_back(
        {{"source", l.chain.leaf_source},
         {"subject", l.chain.leaf_subject},
         {"buildable", l.chain.buildable},
         {"path", path},
         {"missing", l.chain.missing_subject ? nlohmann::json(*l.chain.missing_subject) : nlohmann::json()},
         {"missing_key_id", l.chain.missing_key_id},
         {"explanation", l.chain.explanation},
         {"x14_2_accepts", l.verdict.accepted},
         {"x14_2_errors", errors},
         {"lines", l.verdict.lines}});
  }
  return nlohmann::json{{"schema", "mratls.cert.truststore/1"},
                        {"at", doctor::iso_time(when)},
                        {"entries", entry_list},
                        {"findings", finding_list},
                        {"leaves", leaf_list}};
}

void print_truststore(const std::vector<doctor::StoreEntry>& entries, const std::vector<doctor::StoreFinding>& findings,
                      const std::vector<LeafResult>& leaves) {
  std::cout << "Trust store: " << entries.size() << " certificate" << (entries.size() == 1 ? "" : "s") << "\n";
  for (const auto& e : entries)
    std::cout << "  " << e.source << "  " << e.facts.subject_text << "  (" << doctor::iso_time(e.facts.not_before)
              << " .. " << doctor::iso_time(e.facts.not_after) << (e.facts.is_ca ? ", CA" : "")
              << (e.facts.self_signed ? ", self-signed" : "") << ")\n";
  std::cout << "\n";
  if (findings.empty()) std::cout << "No findings on the store.\n";
  for (const auto& f : findings)
    std::cout << doctor::to_string(f.severity) << std::string(8 - doctor::to_string(f.severity).size(), ' ') << f.rule
              << ": " << f.message << "\n";
  for (const auto& l : leaves) {
    std::cout << "\nLeaf " << l.chain.leaf_source << "\n  " << l.chain.leaf_subject
              << "\n  chain: " << chain_text(l.chain) << "\n  "
              << (l.chain.buildable ? "the chain can be built from the store" : l.chain.explanation) << "\n";
    std::cout << "  X14.2 with VerifyOriginServer On: "
              << (l.verdict.accepted ? std::string("chain accepted")
                                     : "REFUSED (" +
                                           verify::finding_text(l.verdict.findings.front(), config::OpenSslText::Expressway) +
                                           ", depth " +
                                           std::to_string(l.verdict.findings.front().depth) + ")")
              << "\n";
    for (const auto& line : l.verdict.lines) std::cout << "    " << line << "\n";
  }
}

int run_truststore(const TrustStoreOptions& o) {
  auto when = time_to_judge(o.at);
  if (!when) return input_error("truststore", when.error());
  auto store = verify::read_named_certificates(o.files);
  if (!store) return input_error("truststore", store.error());
  const auto entries = verify::doctor::store_entries(*store);
  const auto findings = doctor::audit(entries, *when);
  std::vector<LeafResult> leaves;
  for (const auto& file : o.leaves) {
    auto leaf = check_leaf(file, *store, entries, *when, o.security_level);
    if (!leaf) return input_error("truststore", leaf.error());
    leaves.push_back(std::move(*leaf));
  }
  bool failing =
      std::ranges::any_of(findings, [](const auto& f) { return doctor::counts(f); }) ||
      std::ranges::any_of(leaves, [](const LeafResult& l) { return !l.verdict.accepted || !l.chain.buildable; });

  if (o.json)
    std::cout << json_text(truststore_json(*when, entries, findings, leaves)) << "\n";
  else
    print_truststore(entries, findings, leaves);
  return failing ? kFindings : kOk;
}

}  // namespace

Action add_truststore(CLI::App& cert) {
  auto* cmd = cert.add_subcommand(
      "truststore",
      "Audit an Expressway-C trust store: one certificate per CN, validity, CA entries, chains for --leaf");
  auto o = std::make_shared<TrustStoreOptions>();
  cmd->add_option("files", o->files, "The trust store's files (PEM, DER, PKCS#7; a file may hold several)")->required();
  cmd->add_option("--leaf", o->leaves,
                  "A node certificate (with the chain it sends, if any) to build a chain for; repeatable");
  cmd->add_option("--at", o->at, "Judge validity at this time instead of now (2026-11-22T10:00:00Z)");
  cmd->add_option("--security-level", o->security_level, "OpenSSL security level")
      ->check(CLI::Range(0, 5))
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON");
  return [o] { return run_truststore(*o); };
}

}  // namespace mratls::cli::cert
