// A certificate judged without a handshake by the proxy's own verifier, as X14.2 with
// VerifyOriginServer On would judge it, with the lines the appliance would write.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "verify/fix_catalogue.hpp"
#include "verify/origin_verification.hpp"
#include "verify/ossl.hpp"
#include "verify/trust_store.hpp"

namespace mratls::check {

// `lines` are the appliance's log lines for a refusal; `every_check_lines` what log-only mode writes.
struct OfflineVerdict {
  bool accepted = false;
  std::vector<verify::Finding> findings;  // every check, as log-only mode sees them
  verify::OriginIdentity identity;
  std::vector<std::string> lines;
  std::vector<std::string> every_check_lines;
  verify::Facts facts;          // for a refusal: every finding, in order (offline: TLS 1.2, ECDSA-first)
  verify::Diagnosis diagnosis;  // the facts in words, as check and the proxy give them
};
OfflineVerdict verify_as_x14_2(X509* leaf, const std::vector<X509*>& untrusted, std::vector<ossl::X509Ptr> anchors,
                               const std::string& name, const std::string& ip, int security_level,
                               std::optional<std::time_t> at);
// The same against a store loaded from files: a fix that names a store entry names its file.
OfflineVerdict verify_as_x14_2(X509* leaf, const std::vector<X509*>& untrusted, const verify::TrustStore& trust,
                               const std::string& name, const std::string& ip, int security_level,
                               std::optional<std::time_t> at);

}  // namespace mratls::check
