// The public x509-limbo corpus through the proxy's own verifier (offline): a verdict on every
// server case without a crash, and the verdicts of Traffic Server's verification (docs/architecture.md), asserted by id.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

#include "scan/log_record.hpp"
#include "verify/certificate_file.hpp"
#include "verify/origin_verification.hpp"

using namespace mratls;

namespace {

struct LimboVerdict {
  bool accepted = false;
  std::string expected;  // SUCCESS | FAILURE
  std::string detail;
};

std::map<std::string, LimboVerdict> run_corpus() {
  std::ifstream in(std::string(MRATLS_CORPORA) + "/x509-limbo/limbo.json");
  if (!in) return {};
  auto corpus = nlohmann::json::parse(in);
  std::map<std::string, LimboVerdict> out;
  for (const auto& c : corpus["testcases"]) {
    if (c["validation_kind"] != "SERVER") continue;
    LimboVerdict v;
    v.expected = c["expected_result"];
    std::vector<ossl::X509Ptr> anchors;
    for (const auto& pem : c["trusted_certs"])
      if (auto certs = verify::parse_certificates(pem.get<std::string>(), "trusted")) for (auto& x : *certs) anchors.push_back(std::move(x));
    std::vector<ossl::X509Ptr> untrusted;
    for (const auto& pem : c["untrusted_intermediates"])
      if (auto certs = verify::parse_certificates(pem.get<std::string>(), "untrusted")) for (auto& x : *certs) untrusted.push_back(std::move(x));
    auto leaf = verify::parse_certificates(c["peer_certificate"].get<std::string>(), "peer");
    std::string name = c["expected_peer_name"].is_object() ? c["expected_peer_name"]["value"].get<std::string>() : "";
    std::optional<std::time_t> at;
    if (c["validation_time"].is_string())
      if (auto ms = scan::parse_syslog_time(c["validation_time"].get<std::string>())) at = static_cast<std::time_t>(*ms / 1000);
    if (!leaf) {
      v.detail = leaf.error();
      out[c["id"]] = v;
      continue;
    }
    auto trust = verify::TrustStore::from_certificates(std::move(anchors));
    verify::OriginVerification verification({name, name, name}, verify::Enforcement::Enforce);
    std::vector<X509*> chain;
    for (auto& u : untrusted) chain.push_back(u.get());
    v.accepted = verification.verify_offline(leaf->front().get(), chain, trust, 1, at);
    if (!verification.findings().empty()) {
      const auto& f = verification.findings().front();
      v.detail = f.kind == verify::Finding::Kind::Name ? "name" : std::to_string(f.x509_error) + "@" + std::to_string(f.depth);
    }
    out[c["id"]] = v;
  }
  return out;
}

}  // namespace

TEST(Limbo, EveryServerCaseGetsAVerdictAndTheSettledOnesMatchTrafficServer) {
  if (!std::ifstream(std::string(MRATLS_CORPORA) + "/x509-limbo/limbo.json")) GTEST_SKIP() << "tests/corpora/x509-limbo/limbo.json is missing";
  auto results = run_corpus();
  ASSERT_EQ(results.size(), 198u);
  std::size_t agree = 0;
  for (const auto& [id, v] : results) agree += (v.accepted ? "SUCCESS" : "FAILURE") == v.expected;
  std::cout << "x509-limbo: " << agree << " of " << results.size() << " server cases agree with expected_result\n";
  // Verdicts Traffic Server's verification settles: chain building, depth, validity, self-signed roots, and Traffic
  // Server's own name rules (first-CN fallback, case, IP compared as text, iPAddress SANs never
  // consulted, partial wildcards in the first label) — some of which the corpus expects otherwise.
  const std::map<std::string, bool> settled = {
      {"rfc5280::validity::expired-leaf", false},
      {"rfc5280::validity::expired-intermediate", false},
      {"rfc5280::validity::expired-root", false},
      {"rfc5280::validity::not-yet-valid-5-seconds", false},
      {"rfc5280::chain-untrusted-root", false},
      {"rfc5280::intermediate-ca-without-ca-bit", false},
      {"pathlen::ee-with-intermediate-pathlen-0", true},
      {"pathlen::intermediate-violates-pathlen-0", false},
      {"pathological::intermediate-cycle-distinct-cas", false},
      {"pathological::multiple-chains-expired-intermediate", true},
      {"webpki::san::exact-dns-san", true},
      {"webpki::san::leftmost-wildcard-san", true},
      {"webpki::san::wildcard-embedded-leftmost-san", true},
      {"webpki::san::wildcard-match-across-labels-san", false},
      {"webpki::san::wildcard-not-in-leftmost-san", false},
      {"webpki::san::exact-localhost-ip-san", false},
      {"webpki::cn::not-in-san", true},
      {"webpki::cn::case-mismatch", true},
      {"rfc5280::san::ip-in-dns", true},
      {"rfc5280::nc::permitted-ipv4-match", false},
  };
  for (const auto& [id, accept] : settled) {
    ASSERT_TRUE(results.contains(id)) << id;
    EXPECT_EQ(results[id].accepted, accept) << id << " " << results[id].detail;
  }
  if (std::getenv("MRATLS_LIMBO_DUMP") != nullptr)
    for (const auto& [id, v] : results)
      std::cout << (v.accepted ? "ACCEPT " : "REFUSE ") << v.expected << " " << id << " " << v.detail << "\n";
}
