// Certificate and CSR files as engineers hand them over, arbitrary bytes included: whatever
// parses goes through everything the certificate doctor reads and judges.
#include <string>

#include "fuzz_target.hpp"
#include "verify/certificate_file.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/doctor/certificate_lint.hpp"
#include "verify/doctor/csr_match.hpp"
#include "verify/doctor/trust_store_audit.hpp"

namespace doctor = mratls::verify::doctor;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  constexpr std::time_t kNow = 1795000000;  // fixed, so that a crash replays
  if (auto certs = mratls::verify::parse_certificates(bytes, "fuzz")) {
    std::vector<doctor::StoreEntry> store;
    for (auto& cert : *certs) {
      MRATLS_FUZZ_CHECK(cert != nullptr);
      (void)mratls::verify::summarize(cert.get());
      store.push_back({"fuzz", doctor::certificate_facts(cert.get())});
      for (const auto& finding : doctor::lint(store.back().facts, kNow)) MRATLS_FUZZ_CHECK(!finding.rule.empty());
    }
    (void)doctor::audit(store, kNow);
    (void)doctor::build_chain(store.front(), {}, store);
  } else {
    MRATLS_FUZZ_CHECK(certs.error().starts_with("fuzz: "));
  }
  if (auto request = mratls::verify::parse_request(bytes, "fuzz")) {
    const auto facts = doctor::request_facts(request->get());
    (void)doctor::compare_sans(facts.dns_sans, facts.ip_sans, {}, {});
  }
  return 0;
}
