// A verification's findings as the outcomes they are, in the order the verifier met them: the
// chain's every error, then the name. Each carries the leaf the node presented and, for a chain
// refused, where the chain breaks: the fix names them. What the appliance logs is the first; the
// rest is what a certificate made to cure only the first would still fail.
#pragma once

#include <openssl/x509.h>

#include <functional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "verify/origin_verification.hpp"
#include "verify/outcome.hpp"

namespace mratls::verify {

struct PresentedChain {
  std::vector<X509*> certificates;  // leaf first, as sent
  bool tls13 = false;
};

// `attach_gap` finds where a refused chain breaks against the store at hand.
std::vector<Outcome> outcomes_of(const std::vector<Finding>& findings, const std::string& checked_name, bool name_is_ip,
                                 const PresentedChain& presented, config::OpenSslText style,
                                 const std::function<void(ChainRefused&)>& attach_gap);

// Every check X14.2 runs, on a chain already refused for its first finding: what the appliance
// would meet next once that one is cured.
std::vector<Finding> every_finding(const OriginIdentity& identity, const PresentedChain& presented, const TrustStore& trust,
                                   int security_level);

}  // namespace mratls::verify
