// Where a refused chain breaks: the chain the node sent and the trust store, as facts, walked
// the way OpenSSL builds a chain (docs/architecture.md). Pure: values in, a value out.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <vector>

#include "verify/doctor/certificate_facts.hpp"
#include "verify/doctor/trust_store_audit.hpp"
#include "verify/outcome.hpp"
#include "verify/trust_store.hpp"

namespace mratls::verify::doctor {

// `sent` is the chain as presented, leaf first. Nothing when the chain reaches a certificate of
// the store (the refusal is then not about trust) or nothing was sent.
std::optional<ChainGap> find_chain_gap(const std::vector<CertificateFacts>& sent, const std::vector<StoreEntry>& store);

// The edge: fills `refused.gap` from OpenSSL's objects when the error is one a gap explains
// (self-signed, unable to get the issuer, self-signed in the chain).
void attach_chain_gap(ChainRefused& refused, const std::vector<X509*>& sent, const std::vector<StoreEntry>& store);
void attach_chain_gap(ChainRefused& refused, const std::vector<X509*>& sent, const TrustStore& trust);

}  // namespace mratls::verify::doctor
