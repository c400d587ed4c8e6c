#include "verify/doctor/chain_gap.hpp"

#include <openssl/x509_vfy.h>

#include <algorithm>

namespace mratls::verify::doctor {
namespace {

std::string cn_of(const CertificateFacts& f) { return f.first_cn.value_or(f.subject_text); }

std::string issuer_cn_of(const CertificateFacts& f) {
  for (const auto& field : f.issuer)
    if (field.field == "CN") return field.value;
  return f.issuer_text;
}

const StoreEntry* same_name_other_key(const std::vector<StoreEntry>& store, const std::string& subject,
                                      const std::string& fingerprint) {
  auto it = std::ranges::find_if(store, [&](const StoreEntry& e) {
    return e.facts.subject_text == subject && e.facts.sha256_fingerprint != fingerprint;
  });
  return it == store.end() ? nullptr : &*it;
}

ChainGap rekeyed(const StoreEntry& held, std::string certificate, std::string missing, std::string missing_key_id,
                 bool node_certificate = false) {
  return {ChainGap::Kind::RekeyedCa, std::move(certificate), std::move(missing), std::move(missing_key_id),
          held.facts.subject_key_id, held.source, node_certificate, {}};
}

}  // namespace

std::optional<ChainGap> find_chain_gap(const std::vector<CertificateFacts>& sent, const std::vector<StoreEntry>& store) {
  if (sent.empty()) return std::nullopt;
  // A sent certificate counts as used when the walk passes through it or through the same
  // certificate in the store (a node sending the intermediate the store also holds), so that
  // only a certificate above a real gap makes an intermediate "left out".
  std::vector<bool> used(sent.size(), false);
  auto mark = [&](const CertificateFacts& walked) {
    for (std::size_t i = 0; i < sent.size(); ++i)
      if (sent[i].sha256_fingerprint == walked.sha256_fingerprint) used[i] = true;
  };
  const CertificateFacts* current = &sent[0];
  mark(*current);
  bool current_from_store = false;
  for (std::size_t depth = 0; depth <= kMaxChainDepth; ++depth) {
    if (current->self_issued) {
      if (current_from_store) return std::nullopt;
      const bool trusted = std::ranges::any_of(
          store, [&](const StoreEntry& e) { return e.facts.sha256_fingerprint == current->sha256_fingerprint; });
      if (trusted) return std::nullopt;
      // A root (or a self-signed node certificate) regenerated under the same name.
      if (const auto* held = same_name_other_key(store, current->subject_text, current->sha256_fingerprint))
        return rekeyed(*held, cn_of(*current), cn_of(*current), current->subject_key_id,
                       current->sha256_fingerprint == sent[0].sha256_fingerprint);
      return ChainGap{ChainGap::Kind::RootNotTrusted, cn_of(*current), cn_of(*current), current->subject_key_id, {}, {}, false, {}};
    }
    // The store first, as OpenSSL prefers trusted issuers.
    auto in_store = std::ranges::find_if(store, [&](const StoreEntry& e) { return issued_by(*current, e.facts); });
    if (in_store != store.end()) {
      current = &in_store->facts;
      current_from_store = true;
      mark(*current);
      continue;
    }
    std::size_t next = sent.size();
    for (std::size_t i = 0; i < sent.size(); ++i)
      if (!used[i] && issued_by(*current, sent[i])) {
        next = i;
        break;
      }
    if (next < sent.size()) {
      current = &sent[next];
      mark(*current);
      current_from_store = false;
      continue;
    }
    ChainGap gap;
    gap.certificate = cn_of(*current);
    gap.missing = issuer_cn_of(*current);
    gap.missing_key_id = current->authority_key_id;
    // Issuer lookups failed although the store holds that name: the key is another one.
    auto held = std::ranges::find_if(store, [&](const StoreEntry& e) { return e.facts.subject_text == current->issuer_text; });
    if (held != store.end()) return rekeyed(*held, gap.certificate, gap.missing, gap.missing_key_id);
    if (std::ranges::find(used, false) != used.end()) {
      gap.kind = ChainGap::Kind::IntermediateLeftOut;
      for (std::size_t i = 0; i < sent.size(); ++i) {
        const auto& above = sent[i];
        const bool trusted = std::ranges::any_of(
            store, [&](const StoreEntry& e) { return e.facts.sha256_fingerprint == above.sha256_fingerprint; });
        if (!used[i] && above.self_issued && !trusted)
          gap.root_also_missing = "'" + cn_of(above) + "'" + (above.subject_key_id.empty() ? "" : " (key id " + above.subject_key_id + ")");
      }
    }
    else if (current->sha256_fingerprint == sent[0].sha256_fingerprint) gap.kind = ChainGap::Kind::IssuerNotTrusted;
    else gap.kind = ChainGap::Kind::RootOfChainNotTrusted;
    return gap;
  }
  return std::nullopt;
}

void attach_chain_gap(ChainRefused& refused, const std::vector<X509*>& sent, const TrustStore& trust) {
  attach_chain_gap(refused, sent, store_entries(trust));
}

void attach_chain_gap(ChainRefused& refused, const std::vector<X509*>& sent, const std::vector<StoreEntry>& store) {
  switch (refused.x509_error) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: break;
    default: return;
  }
  std::vector<CertificateFacts> facts;
  facts.reserve(sent.size());
  for (X509* c : sent) facts.push_back(certificate_facts(c));
  refused.gap = find_chain_gap(facts, store);
  // A self-signed node certificate that the store does not hold is the plain self-signed case;
  // only its regenerated twin says more than the error does.
  if (refused.x509_error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT && refused.gap &&
      refused.gap->kind != ChainGap::Kind::RekeyedCa)
    refused.gap.reset();
}

}  // namespace mratls::verify::doctor
