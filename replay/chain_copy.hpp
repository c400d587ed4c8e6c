// A captured chain copied with lab keys: the subjects and issuers, the SANs by type, the key type
// and size, the validity, the basic constraints (CA flag, path length), the KU and EKU, each as
// critical as it was, and the depth, so that the proxy refuses (or
// accepts) the copy for the reason it refused the original. The validity keeps its distance
// from the capture's time, so what had expired then has expired now. Keys are made once per
// blueprint; building a variant (renewed, with another name, with the intermediate sent) only
// signs again.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lab/pki.hpp"
#include "verify/doctor/certificate_facts.hpp"

namespace mratls::replay {

// The copies a site's chains share: a CA that two nodes send (or name as their issuer) is one
// copy with one key, as it is one CA at the site; a trust store holding two different copies
// of one CA name could not exist on the appliance (CSCwa12905).
struct CopyCache {
  std::map<std::string, ossl::PKeyPtr> keys;                // by the level's id
  std::map<std::pair<std::string, bool>, lab::Issued> cas;  // by (id, renewed)
  // The roots some node sends, by subject: a chain that only names one as its issuer leads to
  // the same copy, rather than to one made up under the same name.
  std::map<std::string, std::pair<std::string, lab::CertSpec>> roots;
};

// Every root the chains of a site send, learnt before any blueprint is made, so that what a
// chain leads to does not depend on which node's chain was copied first.
void learn_roots(const std::vector<verify::doctor::CertificateFacts>& chain, std::int64_t captured_at_ms, CopyCache& cache);

struct ChainBlueprint {
  struct Level {
    // "leaf:" or "ca:" + the captured certificate's fingerprint, or "named:/O=…/CN=…" for a CA
    // the chain only names
    std::string id;
    lab::CertSpec spec;
    bool sent = false;  // in the chain the node sent
  };
  // The leaf first, then each issuer up to a self-signed root: the sent certificates, an
  // intermediate the node left out (the leaf's issuer, when the next certificate sent is not
  // it), and the root above the topmost one sent when that is not self-signed.
  std::vector<Level> levels;
  std::optional<std::size_t> left_out;  // the level of the intermediate the node did not send
};

ChainBlueprint blueprint_of(const std::vector<verify::doctor::CertificateFacts>& chain, std::int64_t captured_at_ms,
                            CopyCache& cache);

struct ChainChanges {
  bool renew = false;                  // every level valid from an hour ago for a year
  std::vector<std::string> add_dns;    // names the leaf gains as DNS-type SANs
  bool send_left_out = false;          // the node sends the intermediate it left out
};

struct BuiltChain {
  lab::Issued leaf;
  std::vector<lab::Issued> sent;  // after the leaf, nearest issuer first
  lab::Issued root;               // the top level: what a trust store would hold
  std::optional<lab::Issued> left_out;
};

BuiltChain build(const ChainBlueprint& blueprint, CopyCache& cache, const ChainChanges& changes = {});

// The key type of a certificate as the lab makes them (the nearest it has).
lab::KeyType key_type_of(const verify::doctor::PublicKeyFacts& key);

}  // namespace mratls::replay
