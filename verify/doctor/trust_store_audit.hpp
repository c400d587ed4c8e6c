// The Expressway-C trust store as the appliance keeps it, audited: one certificate per CN,
// validity, non-CA entries, CUCM's same-CN replacement rule, and whether a node's chain can be
// built from it (and which certificate is missing when it cannot).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "verify/certificate_file.hpp"
#include "verify/doctor/certificate_facts.hpp"
#include "verify/doctor/certificate_lint.hpp"
#include "verify/trust_store.hpp"

namespace mratls::verify::doctor {

struct StoreEntry {
  std::string source;  // file, and the position in it when it holds several ("ca.pem#2")
  CertificateFacts facts;
};

struct StoreFinding {
  std::string rule;  // duplicate-cn, cucm-older-start-date, expired, not-yet-valid, not-a-ca, duplicate-entry
  Severity severity = Severity::Note;
  std::string message;
  std::vector<std::size_t> entries;  // indexes into the store
};

struct ChainLink {
  std::string subject;
  std::string source;  // "leaf", "sent by the origin", or the store entry's source
  bool from_store = false;
};

struct LeafChain {
  std::string leaf_source;
  std::string leaf_subject;
  std::vector<ChainLink> path;  // the leaf first, as far as it could be built
  bool buildable = false;       // reaches a self-signed certificate that is in the store
  std::optional<std::string> missing_subject;  // the certificate neither the store nor the origin has
  std::string missing_key_id;                  // its Subject Key Identifier, from the Authority Key Identifier
  std::string explanation;
};

// The facts of every named certificate, as store entries.
std::vector<StoreEntry> store_entries(const std::vector<NamedCertificate>& certificates);
std::vector<StoreEntry> store_entries(const TrustStore& store);

std::vector<StoreFinding> audit(const std::vector<StoreEntry>& store, std::time_t now);

// Expressway keeps one trust-store certificate per CN (compared without regard to case): the
// entries that share a CN, in store order, as distinct certificates and identical copies of one
// already listed (copy, original). Only CNs held by more than one entry are returned.
struct SameCnGroup {
  std::string cn;  // as the first entry spells it
  std::vector<std::size_t> distinct;
  std::vector<std::pair<std::size_t, std::size_t>> copies;
};
std::vector<SameCnGroup> same_cn_groups(const std::vector<StoreEntry>& store);

// The appliance refuses to upload a certificate whose CN is already in its trust store
// (CSCwa12905), so a store holding two different certificates with one CN cannot exist there:
// the refusal naming both entries, or nothing. Identical copies are allowed.
std::optional<std::string> one_cn_refusal(const std::vector<StoreEntry>& store);

// Walks issuer names (and key identifiers) from the leaf through what the origin sends and the
// store, the way OpenSSL builds chains: trust ends at a self-signed certificate in the store.
LeafChain build_chain(const StoreEntry& leaf, const std::vector<CertificateFacts>& sent, const std::vector<StoreEntry>& store);

bool counts(const StoreFinding& finding);

}  // namespace mratls::verify::doctor
