#include "verify/doctor/csr_match.hpp"

#include <algorithm>

#include "config/ascii.hpp"

namespace mratls::verify::doctor {
namespace {

std::vector<std::string> labelled(const std::vector<std::string>& dns, const std::vector<std::string>& ip) {
  std::vector<std::string> out;
  for (const auto& d : dns) out.push_back("DNS:" + d);
  for (const auto& i : ip) out.push_back("IP:" + i);
  return out;
}

bool contains(const std::vector<std::string>& set, const std::string& entry) {
  return std::ranges::any_of(set, [&](const std::string& e) { return ascii::iequals(e, entry); });
}

void add_unique(std::vector<std::string>& out, const std::string& entry) {
  if (!contains(out, entry)) out.push_back(entry);
}

bool ends_with_label(const std::string& name, const std::string& suffix) {
  return name.size() > suffix.size() + 1 && name[name.size() - suffix.size() - 1] == '.' &&
         ascii::iequals(std::string_view(name).substr(name.size() - suffix.size()), suffix);
}

// What the CA probably did to produce an added or a missing entry: engineers recognise these.
void explain(SanComparison& c, const std::vector<std::string>& request) {
  for (const auto& added : c.added_by_ca) {
    if (!added.starts_with("DNS:")) continue;
    const std::string name = added.substr(4);
    if (ascii::istarts_with(name, "www.") && contains(request, "DNS:" + name.substr(4)))
      c.explanations.push_back(added + ": the CA prefixed www. to " + name.substr(4));
    auto child = std::ranges::find_if(request, [&](const std::string& r) {
      return r.starts_with("DNS:") && ends_with_label(r.substr(4), name);
    });
    if (child != request.end()) c.explanations.push_back(added + ": the CA added the parent domain of " + child->substr(4));
  }
  for (const auto& missing : c.missing_from_certificate)
    c.explanations.push_back(missing + ": requested in the CSR, dropped by the CA");
}

std::vector<std::string> values_of(const std::vector<NameField>& fields, const std::string& field) {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (f.field == field) out.push_back(f.value);
  return out;
}

}  // namespace

SanComparison compare_sans(const std::vector<std::string>& request_dns, const std::vector<std::string>& request_ip,
                           const std::vector<std::string>& certificate_dns, const std::vector<std::string>& certificate_ip) {
  const auto request = labelled(request_dns, request_ip);
  const auto certificate = labelled(certificate_dns, certificate_ip);
  SanComparison c;
  for (const auto& r : request) add_unique(contains(certificate, r) ? c.common : c.missing_from_certificate, r);
  for (const auto& e : certificate)
    if (!contains(request, e)) add_unique(c.added_by_ca, e);
  explain(c, request);
  return c;
}

MatchReport match(const RequestFacts& request, const CertificateFacts& certificate) {
  MatchReport r;
  r.request_key = request.key;
  r.certificate_key = certificate.key;
  r.key_matches = !request.key.sha256.empty() && request.key.sha256 == certificate.key.sha256;
  r.request_signature_valid = request.signature_valid;

  std::vector<std::string> fields;
  for (const auto& f : request.subject)
    if (std::ranges::find(fields, f.field) == fields.end()) fields.push_back(f.field);
  for (const auto& f : certificate.subject)
    if (std::ranges::find(fields, f.field) == fields.end()) fields.push_back(f.field);
  r.common_name_matches = true;
  for (const auto& field : fields) {
    FieldComparison c{field, values_of(request.subject, field), values_of(certificate.subject, field), false};
    c.equal = c.request == c.certificate;
    if (field == "CN" && !c.equal) r.common_name_matches = false;
    r.subject.push_back(std::move(c));
  }
  r.sans = compare_sans(request.dns_sans, request.ip_sans, certificate.dns_sans, certificate.ip_sans);

  if (!r.key_matches) r.mismatches.push_back(kKeyMismatchText);
  if (!r.sans.matches()) r.mismatches.push_back(kSanMismatchText);
  if (!r.common_name_matches) r.mismatches.push_back("CSR subject CN and certificate subject CN differ");
  return r;
}

}  // namespace mratls::verify::doctor
