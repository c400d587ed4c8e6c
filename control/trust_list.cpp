#include "control/trust_list.hpp"

#include <algorithm>

#include "config/ascii.hpp"

namespace mratls::control {

std::string fingerprint_key(std::string_view sha256) {
  std::string key;
  key.reserve(sha256.size());
  for (char c : sha256)
    if (c != ':') key.push_back(ascii::lower(c));
  return key;
}

std::string certificate_words(const verify::CertificateSummary& s) { return s.subject + " (SHA-256 " + s.sha256 + ")"; }

nlohmann::json trusted_json(const verify::CertificateSummary& s) {
  return {{"subject", s.subject}, {"sha256", s.sha256}, {"not_after", s.not_after}};
}

TrustList TrustList::of(const verify::TrustStore& store) {
  TrustList list;
  for (const auto& cert : store.certificates()) {
    auto summary = verify::summarize(cert.get());
    const auto key = fingerprint_key(summary.sha256);
    // The same certificate in two files is one entry, as the X509_STORE keeps it.
    if (std::ranges::any_of(list.entries_, [&](const auto& e) { return fingerprint_key(e.summary.sha256) == key; })) continue;
    list.entries_.push_back({ossl::up_ref(cert.get()), std::move(summary)});
  }
  return list;
}

std::expected<std::vector<verify::CertificateSummary>, TrustRefusal> TrustList::add(std::string_view pem) {
  auto certs = verify::read_pem_certificates(std::string(pem), "the uploaded text");
  if (!certs) return std::unexpected(TrustRefusal{TrustRefusal::Kind::NotPem, certs.error()});
  std::vector<TrustedCertificate> added;
  for (auto& cert : *certs) {
    auto summary = verify::summarize(cert.get());
    const auto key = fingerprint_key(summary.sha256);
    auto clash = [&](const std::vector<TrustedCertificate>& in) -> const TrustedCertificate* {
      for (const auto& e : in)
        if (fingerprint_key(e.summary.sha256) == key || (!summary.subject_cn.empty() && ascii::iequals(e.summary.subject_cn, summary.subject_cn)))
          return &e;
      return nullptr;
    };
    const auto* there = clash(entries_);
    if (!there) there = clash(added);
    if (there && fingerprint_key(there->summary.sha256) == key)
      return std::unexpected(TrustRefusal{TrustRefusal::Kind::AlreadyThere, "\"" + summary.subject +
                                                                               "\" is already in the trust store (SHA-256 " +
                                                                               summary.sha256 + ")"});
    if (there)
      return std::unexpected(TrustRefusal{TrustRefusal::Kind::SameCommonName,
                                          "the trust store already holds a certificate with CN \"" + summary.subject_cn +
                                              "\" (SHA-256 " + there->summary.sha256 +
                                              "); Expressway keeps one certificate per CN (CSCwa12905): remove that one first"});
    added.push_back({std::move(cert), std::move(summary)});
  }
  std::vector<verify::CertificateSummary> out;
  for (auto& a : added) {
    out.push_back(a.summary);
    entries_.push_back(std::move(a));
  }
  return out;
}

std::expected<verify::CertificateSummary, std::string> TrustList::remove(std::string_view sha256) {
  const auto key = fingerprint_key(sha256);
  auto it = std::ranges::find_if(entries_, [&](const auto& e) { return fingerprint_key(e.summary.sha256) == key; });
  if (key.empty() || it == entries_.end())
    return std::unexpected("no certificate with SHA-256 " + std::string(sha256) + " in the trust store");
  auto summary = it->summary;
  entries_.erase(it);
  return summary;
}

verify::TrustStore TrustList::store() const {
  std::vector<ossl::X509Ptr> certs;
  certs.reserve(entries_.size());
  for (const auto& e : entries_) certs.push_back(ossl::up_ref(e.cert.get()));
  return verify::TrustStore::from_certificates(std::move(certs));
}

}  // namespace mratls::control
