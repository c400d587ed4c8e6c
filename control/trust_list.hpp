// The trust store as the admin page edits it (Maintenance > Security > Trusted CA certificate):
// an ordered list of certificates, each known by its SHA-256 fingerprint. Each change yields a
// new verify::TrustStore for a new runtime generation; the old one stays with the requests
// still using it.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "verify/certificate_summary.hpp"
#include "verify/ossl.hpp"
#include "verify/trust_store.hpp"

namespace mratls::control {

struct TrustedCertificate {
  ossl::X509Ptr cert;
  verify::CertificateSummary summary;
};

struct TrustRefusal {
  enum class Kind { NotPem, AlreadyThere, SameCommonName };
  Kind kind = Kind::NotPem;
  std::string message;
};

class TrustList {
 public:
  // The store a runtime verifies against (the same certificate twice is one entry).
  static TrustList of(const verify::TrustStore& store);

  // Every certificate of the PEM text, or none: like the appliance (CSCwa12905), a certificate
  // whose CN is already in the store is refused, and so is one already there.
  std::expected<std::vector<verify::CertificateSummary>, TrustRefusal> add(std::string_view pem);
  // By fingerprint: hex with or without colons, any case.
  std::expected<verify::CertificateSummary, std::string> remove(std::string_view sha256);

  verify::TrustStore store() const;
  const std::vector<TrustedCertificate>& entries() const { return entries_; }

 private:
  std::vector<TrustedCertificate> entries_;
};

// {"subject", "sha256", "not_after"}: a trust-store entry as the API and the page show it.
nlohmann::json trusted_json(const verify::CertificateSummary& s);

// "CN=… (SHA-256 AB:CD:…)": a certificate as the change lines name it.
std::string certificate_words(const verify::CertificateSummary& s);

// "AB:CD:..." or "abcd..." to "abcd...".
std::string fingerprint_key(std::string_view sha256);

}  // namespace mratls::control
