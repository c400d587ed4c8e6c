#include "verify/doctor/trust_store_audit.hpp"

#include <algorithm>
#include <map>

#include "config/ascii.hpp"

namespace mratls::verify::doctor {
namespace {

void same_cn(const std::vector<StoreEntry>& store, const SameCnGroup& group, std::vector<StoreFinding>& out) {
  const std::string& cn = group.cn;
  for (auto [copy, original] : group.copies)
    out.push_back({"duplicate-entry", Severity::Note,
                   store[copy].source + " is the same certificate as " + store[original].source + " (CN " + cn + ")",
                   {original, copy}});
  const auto& distinct = group.distinct;
  if (distinct.size() < 2) return;
  std::string list;
  for (std::size_t i : distinct)
    // Each entry as itself: its subject and fingerprint tell the engineer which one to delete.
    list += (list.empty() ? "" : ", ") + store[i].source + " (" + store[i].facts.subject_text + ", SHA-256 " +
            store[i].facts.sha256_fingerprint + ", from " + iso_day(store[i].facts.not_before) + ")";
  out.push_back({"duplicate-cn", Severity::Error,
                 std::to_string(distinct.size()) + " certificates share CN " + cn +
                     ": Expressway keeps one certificate per CN, so only one is used and the origin presenting the "
                     "other fails verification; give them distinct CNs (a node's CallManager and tomcat self-signed "
                     "certificates are the usual pair) or trust the CA that signed them. Entries: " + list,
                 distinct});
  // CUCM's rule, in upload order: a later certificate with the same CN and an older start date
  // does not replace the one already there.
  for (std::size_t a = 0; a < distinct.size(); ++a)
    for (std::size_t b = a + 1; b < distinct.size(); ++b) {
      const auto& earlier = store[distinct[a]];
      const auto& later = store[distinct[b]];
      if (later.facts.not_before < earlier.facts.not_before)
        out.push_back({"cucm-older-start-date", Severity::Warning,
                       later.source + " does not replace " + earlier.source + " on CUCM: same CN " + cn +
                           " but an older start date (" + iso_day(later.facts.not_before) + " before " +
                           iso_day(earlier.facts.not_before) + "); delete the existing trust certificate first",
                       {distinct[a], distinct[b]}});
    }
}

}  // namespace

std::vector<SameCnGroup> same_cn_groups(const std::vector<StoreEntry>& store) {
  std::map<std::string, std::vector<std::size_t>> by_cn;
  std::vector<std::string> order;
  for (std::size_t i = 0; i < store.size(); ++i)
    if (const auto& cn = store[i].facts.first_cn) {
      auto key = ascii::to_lower(*cn);
      if (!by_cn.contains(key)) order.push_back(key);
      by_cn[key].push_back(i);
    }
  std::vector<SameCnGroup> out;
  for (const auto& key : order) {
    const auto& entries = by_cn[key];
    if (entries.size() < 2) continue;
    SameCnGroup group{*store[entries.front()].facts.first_cn, {}, {}};
    for (std::size_t i : entries) {
      auto same = std::ranges::find_if(group.distinct, [&](std::size_t d) {
        return store[d].facts.sha256_fingerprint == store[i].facts.sha256_fingerprint;
      });
      if (same != group.distinct.end()) group.copies.emplace_back(i, *same);
      else group.distinct.push_back(i);
    }
    out.push_back(std::move(group));
  }
  return out;
}

std::optional<std::string> one_cn_refusal(const std::vector<StoreEntry>& store) {
  for (const auto& group : same_cn_groups(store)) {
    if (group.distinct.size() < 2) continue;
    auto entry = [&](std::size_t i) {
      const auto& e = store[i];
      return (e.source.empty() ? "certificate " + std::to_string(i + 1) : e.source) + " (" + e.facts.subject_text +
             ", SHA-256 " + e.facts.sha256_fingerprint + ")";
    };
    return entry(group.distinct[0]) + " and " + entry(group.distinct[1]) + " are different certificates with CN " +
           group.cn +
           ": Expressway refuses to upload a certificate whose CN is already in its trust store (CSCwa12905), so "
           "this store cannot exist on the appliance; keep one of them, or give the nodes' certificates distinct CNs";
  }
  return std::nullopt;
}

std::vector<StoreEntry> store_entries(const std::vector<NamedCertificate>& certificates) {
  std::vector<StoreEntry> out;
  for (const auto& c : certificates) out.push_back({c.source, certificate_facts(c.cert.get())});
  return out;
}

std::vector<StoreEntry> store_entries(const TrustStore& store) {
  std::vector<StoreEntry> out;
  const auto& certs = store.certificates();
  for (std::size_t i = 0; i < certs.size(); ++i) out.push_back({store.sources()[i], certificate_facts(certs[i].get())});
  return out;
}

bool counts(const StoreFinding& finding) { return finding.severity != Severity::Note; }

std::vector<StoreFinding> audit(const std::vector<StoreEntry>& store, std::time_t now) {
  std::vector<StoreFinding> out;
  for (std::size_t i = 0; i < store.size(); ++i) {
    const auto& f = store[i].facts;
    if (now >= f.not_after)
      out.push_back({"expired", Severity::Error,
                     store[i].source + " (" + f.subject_text + ") expired on " + iso_day(f.not_after) +
                         ": chains through it fail with 'certificate has expired'",
                     {i}});
    else if (now < f.not_before)
      out.push_back({"not-yet-valid", Severity::Error,
                     store[i].source + " (" + f.subject_text + ") is not valid before " + iso_time(f.not_before) +
                         ": chains through it fail with 'certificate is not yet valid'",
                     {i}});
    if (!f.is_ca) {
      if (f.self_signed)
        out.push_back({"not-a-ca", Severity::Note,
                       store[i].source + " (" + f.subject_text +
                           ") is not a CA certificate: allowed, and it trusts exactly that self-signed node certificate",
                       {i}});
      else
        out.push_back({"not-a-ca", Severity::Warning,
                       store[i].source + " (" + f.subject_text +
                           ") is neither a CA nor self-signed: it anchors nothing, since X14.2 builds chains up to a "
                           "self-signed certificate in the store; add its issuing CA instead",
                       {i}});
    }
  }
  for (const auto& group : same_cn_groups(store)) same_cn(store, group, out);
  return out;
}

LeafChain build_chain(const StoreEntry& leaf, const std::vector<CertificateFacts>& sent, const std::vector<StoreEntry>& store) {
  LeafChain chain;
  chain.leaf_source = leaf.source;
  chain.leaf_subject = leaf.facts.subject_text;
  auto in_store = [&](const CertificateFacts& f) {
    return std::ranges::find_if(store, [&](const StoreEntry& e) { return e.facts.sha256_fingerprint == f.sha256_fingerprint; });
  };
  const CertificateFacts* current = &leaf.facts;
  auto stored = in_store(*current);
  chain.path.push_back({current->subject_text, stored != store.end() ? stored->source : "leaf", stored != store.end()});
  while (chain.path.size() <= kMaxChainDepth) {
    if (current->self_signed) {
      chain.buildable = in_store(*current) != store.end();
      if (!chain.buildable) {
        chain.missing_subject = current->subject_text;
        chain.missing_key_id = current->subject_key_id;
        chain.explanation = "the chain ends at the self-signed " + current->subject_text +
                            ", which is not in the trust store: add it ('self signed certificate" +
                            (chain.path.size() > 1 ? " in certificate chain'" : "'") + ")";
      }
      return chain;
    }
    const CertificateFacts* issuer = nullptr;
    std::string source;
    bool from_store = false;
    // The store first, as OpenSSL prefers trusted issuers.
    for (const auto& e : store)
      if (issued_by(*current, e.facts)) {
        issuer = &e.facts;
        source = e.source;
        from_store = true;
        break;
      }
    if (!issuer)
      for (const auto& s : sent)
        if (issued_by(*current, s)) {
          issuer = &s;
          source = "sent by the origin";
          break;
        }
    if (!issuer) {
      chain.missing_subject = current->issuer_text;
      chain.missing_key_id = current->authority_key_id;
      const bool leaf_level = chain.path.size() == 1;
      chain.explanation = "missing: " + current->issuer_text + ", which signed " + current->subject_text +
                          (leaf_level ? "; add it to the trust store (or have the origin send it if it is an intermediate)"
                                      : "; add it to the trust store") +
                          " ('unable to get local issuer certificate')";
      return chain;
    }
    chain.path.push_back({issuer->subject_text, source, from_store});
    current = issuer;
  }
  chain.explanation = "the chain is longer than verify depth 7 ('certificate chain too long')";
  return chain;
}

}  // namespace mratls::verify::doctor
