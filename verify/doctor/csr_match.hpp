// Does a signed certificate belong to a CSR? What CUCM, IM&P, Unity and UCCX check when the
// certificate is uploaded, answered before the upload: the public key, the SAN set (as a set:
// order is irrelevant) and the subject, field by field.
#pragma once

#include <string>
#include <vector>

#include "verify/doctor/certificate_facts.hpp"

namespace mratls::verify::doctor {

// The platform's own words, kept verbatim (grammar included) so that a search finds them.
inline constexpr const char* kSanMismatchText = "CSR SAN and Certificate SAN does not match";
inline constexpr const char* kKeyMismatchText = "CSR public key and certificate public key does not match";

struct FieldComparison {
  std::string field;  // CN, O, OU, …
  std::vector<std::string> request;
  std::vector<std::string> certificate;
  bool equal = false;
};

struct SanComparison {
  std::vector<std::string> common;                    // "DNS:x" / "IP:y", in the CSR's order
  std::vector<std::string> missing_from_certificate;  // in the CSR, not in the certificate
  std::vector<std::string> added_by_ca;               // in the certificate, not in the CSR
  std::vector<std::string> explanations;              // what the CA probably did, one line each
  bool matches() const { return missing_from_certificate.empty() && added_by_ca.empty(); }
};

struct MatchReport {
  bool key_matches = false;
  PublicKeyFacts request_key;
  PublicKeyFacts certificate_key;
  std::vector<FieldComparison> subject;
  bool common_name_matches = false;
  SanComparison sans;
  bool request_signature_valid = false;
  // Verdict lines, the platform's wording first; empty when the certificate matches.
  std::vector<std::string> mismatches;

  bool matches() const { return mismatches.empty(); }
};

// DNS names compare case-insensitively, IP addresses as text.
SanComparison compare_sans(const std::vector<std::string>& request_dns, const std::vector<std::string>& request_ip,
                           const std::vector<std::string>& certificate_dns, const std::vector<std::string>& certificate_ip);

MatchReport match(const RequestFacts& request, const CertificateFacts& certificate);

}  // namespace mratls::verify::doctor
