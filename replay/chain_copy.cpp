#include "replay/chain_copy.hpp"

#include <algorithm>
#include <string_view>

namespace mratls::replay {
namespace {

using verify::doctor::CertificateFacts;
using verify::doctor::NameField;

std::vector<std::pair<std::string, std::string>> fields(const std::vector<NameField>& name) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : name) out.emplace_back(f.field, f.value);
  return out;
}

// An extension as the captured certificate had it, critical or not, in OpenSSL's syntax; empty
// when it had none.
std::string extension_value(const CertificateFacts& f, std::string_view short_name, bool present,
                            const std::vector<std::string>& values) {
  if (!present || values.empty()) return {};  // an extension with no values cannot be written again
  const bool critical = std::ranges::any_of(f.extensions, [&](const auto& e) { return e.short_name == short_name && e.critical; });
  std::string out = critical ? "critical" : "";
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
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
  spec.ext_key_usage = extension_value(f, "extendedKeyUsage", f.has_extended_key_usage, f.extended_key_usage);
  spec.key_usage = extension_value(f, "keyUsage", f.has_key_usage, f.key_usage);
  std::vector<std::string> constraints{f.is_ca ? "CA:TRUE" : "CA:FALSE"};
  if (f.path_length) constraints.push_back("pathlen:" + std::to_string(*f.path_length));
  spec.basic_constraints = extension_value(f, "basicConstraints", f.has_basic_constraints, constraints);
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

ChainBlueprint::Level level(std::string id, lab::CertSpec spec, bool sent, CopyCache& cache) {
  auto& key = cache.keys[id];
  if (!key) key = lab::generate_key(spec.key_type);
  return {std::move(id), std::move(spec), sent};
}

std::string named_id(const std::vector<NameField>& name) {
  std::string id = "named:";
  for (const auto& f : name) id += "/" + f.field + "=" + f.value;
  return id;
}

std::string captured_id(const char* kind, const CertificateFacts& c) {
  if (!c.sha256_fingerprint.empty()) return std::string(kind) + c.sha256_fingerprint;
  std::string id = std::string(kind) + named_id(c.subject);
  for (const auto& n : c.dns_sans) id += "/" + n;
  return id;
}

// The CA above `name`: the copy of a root some node sends, else one made up under that name.
ChainBlueprint::Level above(const std::vector<NameField>& name, bool sent, CopyCache& cache) {
  if (auto root = cache.roots.find(named_id(name)); root != cache.roots.end())
    return level(root->second.first, root->second.second, sent, cache);
  return level(named_id(name), ca_named(name, lab::KeyType::EcdsaP256), sent, cache);
}

}  // namespace

void learn_roots(const std::vector<CertificateFacts>& chain, std::int64_t at_ms, CopyCache& cache) {
  for (const auto& c : chain)
    if (c.self_signed && c.is_ca) cache.roots.try_emplace(named_id(c.subject), captured_id("ca:", c), spec_of(c, at_ms));
}

lab::KeyType key_type_of(const verify::doctor::PublicKeyFacts& key) {
  if (key.type == "ECDSA") return key.curve == "secp384r1" ? lab::KeyType::EcdsaP384 : lab::KeyType::EcdsaP256;
  if (key.bits <= 1024) return lab::KeyType::Rsa1024;
  if (key.bits <= 2048) return lab::KeyType::Rsa2048;
  if (key.bits <= 3072) return lab::KeyType::Rsa3072;
  return lab::KeyType::Rsa4096;
}

ChainBlueprint blueprint_of(const std::vector<CertificateFacts>& chain, std::int64_t at_ms, CopyCache& cache) {
  ChainBlueprint bp;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    // A certificate sent is known by its fingerprint: two nodes sending one CA share its copy.
    bp.levels.push_back(level(captured_id(i == 0 ? "leaf:" : "ca:", chain[i]), spec_of(chain[i], at_ms), true, cache));
    if (chain[i].self_signed) return bp;  // nothing above a root counts
    const bool last = i + 1 == chain.size();
    // The next certificate sent is not this one's issuer: an intermediate was left out between.
    if (!last && chain[i + 1].subject != chain[i].issuer && !bp.left_out) {
      bp.left_out = bp.levels.size();
      bp.levels.push_back(level(named_id(chain[i].issuer), ca_named(chain[i].issuer, lab::KeyType::EcdsaP256), false, cache));
      // The left-out intermediate's issuer is the next certificate sent, taken as it is.
    }
  }
  if (!chain.empty()) {
    bp.levels.push_back(above(chain.back().issuer, false, cache));
  }
  return bp;
}

BuiltChain build(const ChainBlueprint& bp, CopyCache& cache, const ChainChanges& changes) {
  std::vector<lab::Issued> issued(bp.levels.size());
  for (std::size_t k = bp.levels.size(); k-- > 0;) {
    const auto& level = bp.levels[k];
    auto spec = level.spec;
    if (changes.renew) spec.not_before = -std::chrono::hours(1), spec.not_after = std::chrono::hours(24 * 365);
    const lab::Issued* issuer = k + 1 < bp.levels.size() ? &issued[k + 1] : nullptr;
    auto key = ossl::up_ref(cache.keys.at(level.id).get());
    if (k == 0) {  // the node's own certificate: made for each run, with the run's changes
      for (const auto& n : changes.add_dns)
        if (std::ranges::find(spec.dns_sans, n) == spec.dns_sans.end()) spec.dns_sans.push_back(n);
      issued[k] = lab::issue(spec, issuer, std::move(key));
      continue;
    }
    auto& ca = cache.cas[{level.id, changes.renew}];
    if (!ca.cert) ca = lab::issue(spec, issuer, std::move(key));
    issued[k] = ca;
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
