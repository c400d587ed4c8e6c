// Traffic Server's own origin-name check (docs/architecture.md, Verification), which is not OpenSSL's X509_check_host:
// dNSName SANs first, then the first CN even when SANs exist; iPAddress SANs never count.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mratls::verify {

// The names a certificate offers, as plain values.
struct CertificateNames {
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;  // kept for diagnosis only: the matcher ignores them
  std::optional<std::string> first_cn;
};

// One pattern from a certificate against one name (an IP is compared as text).
bool pattern_matches(std::string_view pattern, std::string_view name);

enum class NameMatch { DnsSan, CommonName, NoMatch };

NameMatch match_certificate_name(const CertificateNames& names, std::string_view name);

}  // namespace mratls::verify
