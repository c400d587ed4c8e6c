#include "replay/chain_copy.hpp"

#include <algorithm>

namespace mratls::replay {
namespace {

using verify::doctor::CertificateFacts;
using verify::doctor::NameField;

std::vector<std::pair<std::string, std::string>> fields(const std::vector<NameField>& name) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : name) out.emplace_back(f.field, f.value);
  return out;
}

std::chrono::seconds since(std::time_t t, std::int64_t at_ms) { return std::chrono::seconds(t - at_ms / 1000); }

lab::CertSpec spec_of(const CertificateFacts& f, std::int64_t at_ms) {
  lab::CertSpec spec;
  spec.common_name.clear();  // the subject as it was, in its order, CN included
  spec.subject_fields = fields(f.subject);
  spec.dns_sans = f.dns_sans;
  spec.ip_sans = f.ip_sans;
  spec.key_type = key_type_of(f.key);
  spec.is_ca = f.is_ca;
  spec.not_before = since(f.not_before, at_ms);
  spec.not_after = since(f.not_after, at_ms);
  spec.ext_key_usage.clear();
  for (const auto& u : f.extended_key_usage) spec.ext_key_usage += (spec.ext_key_usage.empty() ? "" : ",") + u;
  spec.digest = f.signature_digest == "SHA1" ? lab::Digest::Sha1 : lab::Digest::Sha256;
  return spec;
}

// A CA of this name, made up: the chain names it as an issuer and never shows it.
lab::CertSpec ca_named(const std::vector<NameField>& name, lab::KeyType key) {
  lab::CertSpec spec;
  spec.common_name.clear();
  spec.subject_fields = fields(name);
  spec.key_type = key;
  spec.is_ca = true;
  spec.not_before = -std::chrono::hours(24 * 365);
  spec.not_after = std::chrono::hours(24 * 365 * 10);
  return spec;
}

ChainBlueprint::Level level(lab::CertSpec spec, bool sent) {
  auto key = lab::generate_key(spec.key_type);
  return {std::move(spec), std::move(key), sent};
}

}  // namespace

lab::KeyType key_type_of(const verify::doctor::PublicKeyFacts& key) {
  if (key.type == "ECDSA") return key.curve == "secp384r1" ? lab::KeyType::EcdsaP384 : lab::KeyType::EcdsaP256;
  if (key.bits <= 1024) return lab::KeyType::Rsa1024;
  if (key.bits <= 2048) return lab::KeyType::Rsa2048;
  if (key.bits <= 3072) return lab::KeyType::Rsa3072;
  return lab::KeyType::Rsa4096;
}

ChainBlueprint blueprint_of(const std::vector<CertificateFacts>& chain, std::int64_t at_ms) {
  ChainBlueprint bp;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    bp.levels.push_back(level(spec_of(chain[i], at_ms), true));
    if (chain[i].self_signed) return bp;  // nothing above a root counts
    const bool last = i + 1 == chain.size();
    // The next certificate sent is not this one's issuer: an intermediate was left out between.
    if (!last && chain[i + 1].subject != chain[i].issuer && !bp.left_out) {
      bp.left_out = bp.levels.size();
      bp.levels.push_back(level(ca_named(chain[i].issuer, lab::KeyType::Rsa2048), false));
    }
  }
  if (!chain.empty()) bp.levels.push_back(level(ca_named(chain.back().issuer, lab::KeyType::Rsa2048), false));
  return bp;
}

BuiltChain build(const ChainBlueprint& bp, const ChainChanges& changes) {
  std::vector<lab::Issued> issued(bp.levels.size());
  for (std::size_t k = bp.levels.size(); k-- > 0;) {
    auto spec = bp.levels[k].spec;
    if (changes.renew) spec.not_before = -std::chrono::hours(1), spec.not_after = std::chrono::hours(24 * 365);
    if (k == 0)
      for (const auto& n : changes.add_dns)
        if (std::ranges::find(spec.dns_sans, n) == spec.dns_sans.end()) spec.dns_sans.push_back(n);
    const lab::Issued* issuer = k + 1 < bp.levels.size() ? &issued[k + 1] : nullptr;
    issued[k] = lab::issue(spec, issuer, ossl::up_ref(bp.levels[k].key.get()));
  }
  BuiltChain out;
  out.leaf = issued.front();
  out.root = issued.back();
  for (std::size_t k = 1; k < issued.size(); ++k) {
    const bool left_out = bp.left_out && *bp.left_out == k;
    if (left_out) out.left_out = issued[k];
    if (bp.levels[k].sent || (left_out && changes.send_left_out)) out.sent.push_back(issued[k]);
  }
  return out;
}

}  // namespace mratls::replay
