#include "verify/doctor/certificate_lint.hpp"

#include <algorithm>
#include <set>

#include "config/ascii.hpp"

namespace mratls::verify::doctor {
namespace {

using ascii::iequals;

std::string first_label(const std::string& name) { return name.substr(0, name.find('.')); }

bool ends_with_i(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

// CUCM names multi-server certificates <host>-ms.<domain> and ECDSA ones <host>-EC.<domain>
// (both: <host>-EC-ms); the suffix on the whole name (cucm.example.com-EC) is seen too.
bool is_multi_server_cn(const std::string& cn) { return ends_with_i(first_label(cn), "-ms") || ends_with_i(cn, "-ms"); }
bool has_ec_suffix(const std::string& cn) {
  for (std::string name : {first_label(cn), cn}) {
    if (ends_with_i(name, "-ms")) name.resize(name.size() - 3);
    if (ends_with_i(name, "-EC")) return true;
  }
  return false;
}

bool in_names(const std::vector<std::string>& names, const std::string& name) {
  return std::ranges::any_of(names, [&](const std::string& n) { return iequals(n, name); });
}

bool is_parent_of_another(const std::vector<std::string>& names, const std::string& name) {
  return std::ranges::any_of(names, [&](const std::string& n) {
    return n.size() > name.size() + 1 && n[n.size() - name.size() - 1] == '.' && ends_with_i(n, name);
  });
}

// A CN that is a host name (dotted labels of letters, digits and hyphens, a wildcard first
// label allowed) or an IP address, as opposed to a CA's descriptive name ("Steven Lab Root CA").
bool is_host_like(const std::string& cn) {
  if (cn.find('.') == std::string::npos && cn.find(':') == std::string::npos) return false;
  return std::ranges::all_of(cn, [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
           ch == '*' || ch == ':';
  });
}

// CUCM's self-signed tomcat and CallManager certificates carry CA:TRUE, yet they are what the
// node presents as a server: a self-signed certificate that names a host is judged as one.
bool is_server_certificate(const CertificateFacts& c) {
  if (!c.is_ca) return true;
  if (!c.self_signed) return false;
  return !c.dns_sans.empty() || !c.ip_sans.empty() || (c.first_cn && is_host_like(*c.first_cn));
}

constexpr const char* kEveryClient =
    "every TLS client; Expressway-C X14.2 with VerifyOriginServer On refuses it at the handshake";

void validity(const CertificateFacts& c, std::time_t now, std::vector<LintFinding>& out) {
  if (now >= c.not_after) {
    out.push_back({"expired", Severity::Error, "expired on " + iso_time(c.not_after) + " ('certificate has expired')",
                   kEveryClient});
  } else if (now < c.not_before) {
    out.push_back({"not-yet-valid", Severity::Error,
                   "not valid before " + iso_time(c.not_before) + " ('certificate is not yet valid'): check the clocks and NTP",
                   kEveryClient});
  } else if (c.not_after - now < kExpiryWarning) {
    const auto days = (c.not_after - now) / (24 * 3600);
    out.push_back({"expiring", Severity::Warning,
                   "expires on " + iso_day(c.not_after) + ", in " + std::to_string(days) + " day" + (days == 1 ? "" : "s"),
                   "every TLS client once it expires: renew it and upload the new CA chain first"});
  }
}

void key_and_signature(const CertificateFacts& c, std::vector<LintFinding>& out) {
  if ((c.key.type == "RSA" && c.key.bits < 2048) || (c.key.type == "ECDSA" && c.key.bits < 256))
    out.push_back({"weak-key", Severity::Error, c.key.type + " key of " + std::to_string(c.key.bits) + " bits",
                   "current browsers and Jabber; OpenSSL clients at security level 2 ('ee key too small')"});
  const bool weak_digest = c.signature_digest == "SHA1" || c.signature_digest == "MD5";
  if (weak_digest && !c.self_signed)
    out.push_back({"weak-signature", Severity::Error, "signed with " + c.signature_algorithm,
                   "browsers (SHA-1 distrusted since 2017); OpenSSL 3 clients at security level 1 ('CA signature "
                   "digest algorithm too weak')"});
  else if (weak_digest)
    out.push_back({"weak-signature", Severity::Note,
                   "self-signed with " + c.signature_algorithm + ": clients do not check a trust anchor's own signature, "
                   "but regenerate it with SHA-256 when you can",
                   ""});
}

void critical_extensions(const CertificateFacts& c, std::vector<LintFinding>& out) {
  for (const auto& e : c.extensions)
    if (e.critical && e.short_name != "keyUsage" && e.short_name != "basicConstraints")
      out.push_back({"critical-extension", Severity::Error,
                     "extension " + e.name + " is marked critical; only Key Usage and Basic Constraints may be",
                     "UCCX ↔ CUCM SSL handshakes (UCCX refuses other critical extensions)"});
}

void server_rules(const CertificateFacts& c, std::vector<LintFinding>& out) {
  const std::string cn = c.first_cn.value_or("");
  // UCCX's limit is on its own (server) certificate; CAs above it may have larger keys.
  if (c.key.type == "RSA" && c.key.bits != 1024 && c.key.bits != 2048)
    out.push_back({"rsa-key-size-uccx", Severity::Warning,
                   "RSA key of " + std::to_string(c.key.bits) + " bits; UCCX takes 1024 or 2048 only",
                   "UCCX (and its SSL handshakes with CUCM)"});
  if (c.dns_sans.empty())
    out.push_back({"cn-not-in-san", Severity::Warning,
                   "no DNS name in the Subject Alternative Name: browsers ignore the CN",
                   "browsers since Chrome 58 (NET::ERR_CERT_COMMON_NAME_INVALID)"});
  else if (!cn.empty() && !in_names(c.dns_sans, cn) && (has_ec_suffix(cn) || is_multi_server_cn(cn)))
    out.push_back({"cn-not-in-san", Severity::Note,
                   "CN " + cn + " is not among the DNS SANs, as usual for a -EC / -ms name that no client connects to", ""});
  else if (!cn.empty() && !in_names(c.dns_sans, cn))
    out.push_back({"cn-not-in-san", Severity::Warning, "CN " + cn + " is not among the DNS SANs",
                   "browsers since Chrome 58 (NET::ERR_CERT_COMMON_NAME_INVALID)"});

  std::vector<std::string> wildcards;
  if (cn.find('*') != std::string::npos) wildcards.push_back("CN " + cn);
  for (const auto& d : c.dns_sans)
    if (d.find('*') != std::string::npos) wildcards.push_back("DNS:" + d);
  for (const auto& w : wildcards)
    out.push_back({"wildcard", Severity::Warning, "wildcard name " + w,
                   "CUCM, IM&P, Unity Connection and Expressway (wildcard certificates are not supported)"});

  for (const auto& ip : c.ip_sans)
    if (!in_names(c.dns_sans, ip) && !iequals(cn, ip))
      out.push_back({"ip-only-as-ipaddress-san", Severity::Warning,
                     ip + " is present only as an iPAddress SAN; Traffic Server compares DNS SANs and the CN only",
                     "Expressway-C X14.2 when the node is known by that IP (System > Server address): 'SNI (" + ip +
                         ") not in certificate'; add DNS:" + ip + " or use the FQDN"});

  if (c.key.type == "ECDSA" && !cn.empty() && !has_ec_suffix(cn))
    out.push_back({"ecdsa-cn-suffix", Severity::Warning,
                   "ECDSA certificate whose CN " + cn + " lacks the -EC suffix (<host>-EC.<domain>)",
                   "the Expressway trust store, which keeps one certificate per CN: the node's RSA and ECDSA "
                   "certificates then collide"});

  std::set<std::string> hosts;
  for (const auto& d : c.dns_sans)
    if (d.find('*') == std::string::npos && !is_parent_of_another(c.dns_sans, d) && !ascii::istarts_with(d, "www."))
      hosts.insert(first_label(d));
  if (is_multi_server_cn(cn)) {
    std::string list;
    for (const auto& d : c.dns_sans) list += (list.empty() ? "" : ", ") + d;
    if (hosts.size() < 2)
      out.push_back({"multi-server", Severity::Warning,
                     "multi-server (-ms) CN " + cn + " but the SANs name " + std::to_string(hosts.size()) + " node" +
                         (hosts.size() == 1 ? "" : "s"),
                     "the cluster nodes missing from the SANs"});
    else
      out.push_back({"multi-server", Severity::Note, "multi-server certificate for: " + list, ""});
  } else if (hosts.size() >= 2) {
    out.push_back({"multi-server", Severity::Note,
                   "the SANs name " + std::to_string(hosts.size()) +
                       " hosts (a multi-server certificate) but the CN lacks the -ms suffix CUCM gives them",
                   ""});
  }
}

void purpose(const CertificateFacts& c, std::vector<LintFinding>& out) {
  if (c.has_extended_key_usage && !in_names(c.extended_key_usage, "serverAuth"))
    out.push_back({"no-server-auth", Severity::Error, "Extended Key Usage without TLS Web Server Authentication (serverAuth)",
                   "Expressway-C X14.2 origin verification ('unsupported certificate purpose') and browsers"});
  else if (!c.has_extended_key_usage)
    out.push_back({"no-server-auth", Severity::Note,
                   "no Extended Key Usage: OpenSSL accepts any purpose, but CUCM's CSRs ask for serverAuth and clientAuth",
                   ""});
}

}  // namespace

std::string to_string(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "note";
}

bool counts(const LintFinding& finding) { return finding.severity != Severity::Note; }

std::vector<LintFinding> lint(const CertificateFacts& c, std::time_t now) {
  std::vector<LintFinding> out;
  validity(c, now, out);
  key_and_signature(c, out);
  critical_extensions(c, out);
  // Host-name and purpose rules are about server certificates, not the CAs above them.
  if (is_server_certificate(c)) {
    server_rules(c, out);
    purpose(c, out);
    if (c.self_signed)
      out.push_back({"self-signed", Severity::Note,
                     std::string("self-signed") + (c.is_ca ? " with CA:TRUE, as CUCM makes its own, and judged as the server it names" : "") +
                         ": X14.2 accepts it only if this very certificate is in the Expressway-C trust store",
                     ""});
  }
  return out;
}

}  // namespace mratls::verify::doctor
