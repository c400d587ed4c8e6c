#include "logs/diagnosis.hpp"

#include <charconv>
#include <optional>
#include <string_view>

#include "mra/mra_path.hpp"

namespace mratls::logs {
namespace {

bool has(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }

struct CoreFailure {
  std::string name;
  std::string error;
  int depth = 0;
};

// "… Core server certificate verification failed for (<name>). Action=<a> Error=<text>
// server=<host>(<ip>) depth=<n>". Parsed by hand: `scan` calls this for every failing
// transaction, where std::regex dominated the profile.
std::optional<CoreFailure> core_failure(std::string_view line) {
  constexpr std::string_view kCore = "Core server certificate verification failed for (";
  auto at = line.find(kCore);
  if (at == std::string_view::npos) return std::nullopt;
  auto name_start = at + kCore.size();
  auto name_end = line.find(").", name_start);
  if (name_end == std::string_view::npos) return std::nullopt;
  auto error_at = line.find(" Error=", name_end);
  auto server_at = line.rfind(" server=");
  auto depth_at = line.rfind(" depth=");
  if (error_at == std::string_view::npos || server_at == std::string_view::npos || depth_at == std::string_view::npos ||
      server_at < error_at + 7 || depth_at < server_at)
    return std::nullopt;
  int depth = 0;
  auto digits = line.substr(depth_at + 7);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), depth);
  if (ec != std::errc{} || end == digits.data()) return std::nullopt;
  return CoreFailure{std::string(line.substr(name_start, name_end - name_start)),
                     std::string(line.substr(error_at + 7, server_at - error_at - 7)), depth};
}

// "SNI (<name>) not in certificate": the name.
std::optional<std::string> sni_failure(std::string_view line) {
  constexpr std::string_view kSni = "SNI (";
  auto at = line.find(kSni);
  if (at == std::string_view::npos) return std::nullopt;
  auto end = line.find(") not in certificate", at + kSni.size());
  if (end == std::string_view::npos) return std::nullopt;
  auto name = line.substr(at + kSni.size(), end - at - kSni.size());
  if (name.find(')') != std::string_view::npos) return std::nullopt;
  return std::string(name);
}

}  // namespace

const char* to_string(Cause c) {
  switch (c) {
    case Cause::None: return "none";
    case Cause::SelfSigned: return "self-signed";
    case Cause::UntrustedChain: return "untrusted-ca";
    case Cause::MissingIntermediate: return "missing-intermediate";
    case Cause::Expired: return "expired";
    case Cause::NotYetValid: return "not-yet-valid";
    case Cause::NameNotInCertificate: return "name-not-in-certificate";
    case Cause::IpNotInCertificate: return "ip-not-in-certificate";
    case Cause::ClientCertRejected: return "client-certificate-rejected";
    case Cause::TlsFailure: return "tls-failure";
    case Cause::ConnectFailure: return "connect-failure";
    case Cause::Denied: return "not-in-allow-list";
    case Cause::OriginTimeout: return "origin-timeout";
  }
  return "?";
}

Diagnosis diagnose(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    if (auto core = core_failure(line)) {
      const auto& n = core->name;
      if (has(core->error, "self signed certificate in certificate chain") || has(core->error, "self-signed certificate in certificate chain"))
        return {Cause::UntrustedChain, "the chain of " + n + " ends in a root the trust store does not hold",
                "Upload that root CA (and any intermediate) of " + n + " to the Expressway-C trust store."};
      if (has(core->error, "self signed certificate") || has(core->error, "self-signed certificate"))
        return {Cause::SelfSigned, "self-signed certificate on " + n,
                "Upload the self-signed certificate of " + n +
                    " to the Expressway-C trust store, or have it signed by a CA the trust store holds (with an ECDSA "
                    "certificate such as tomcat-ECDSA, the RSA-first cipher prefix ECDHE-RSA-AES256-GCM-SHA384: also avoids it "
                    "under TLS 1.2)."};
      if (has(core->error, "unable to get local issuer certificate") || has(core->error, "unable to get issuer certificate")) {
        if (core->depth == 0)
          return {Cause::MissingIntermediate, n + " sends its certificate without the issuing CA, which the trust store lacks",
                  "Upload the intermediate CA that signed the certificate of " + n +
                      " to the Expressway-C trust store, or make the node send its full chain."};
        return {Cause::UntrustedChain, "the chain of " + n + " leads to a CA the trust store does not hold",
                "Upload the root CA and every intermediate of the chain that " + n + " presents to the Expressway-C trust store."};
      }
      if (has(core->error, "certificate has expired"))
        return {Cause::Expired, "the certificate of " + n + " has expired", "Renew the certificate of " + n + "."};
      if (has(core->error, "certificate is not yet valid"))
        return {Cause::NotYetValid, "the certificate of " + n + " is not yet valid",
                "Check the clocks of " + n + " and of Expressway-C (NTP), or reissue the certificate."};
      return {Cause::TlsFailure, "certificate of " + n + " refused: " + core->error,
              "Fix the certificate of " + n + " (" + core->error + ")."};
    }
    if (auto sni = sni_failure(line)) {
      const std::string& name = *sni;
      if (mra::is_ip_literal(name))
        return {Cause::IpNotInCertificate, "the cluster advertises a node by IP address " + name + ", which its certificate does not name",
                "Change CUCM System > Server to the node's FQDN and refresh the servers on Expressway-C, or add " + name +
                    " to the certificate as a DNS-type SAN (an IP-address SAN is not consulted by the traffic server)."};
      return {Cause::NameNotInCertificate, name + " is not a name in its certificate",
              "Reissue the certificate with " + name + " as a SAN, or make the cluster advertise a name the certificate holds."};
    }
    if (has(line, "tlsv1 alert unknown ca"))
      return {Cause::ClientCertRejected, "the node refused Expressway-C's client certificate",
              "Upload the Expressway-C certificate's CA chain to CUCM's tomcat-trust and CallManager-trust."};
    if (has(line, "Event=\"Request Denied\""))
      return {Cause::Denied, "the request is not in the allow list",
              "Refresh the servers on Expressway-C (Configuration > Unified Communications) so that the node is known, or add "
              "an allow-list rule."};
    if (has(line, "Connect to origin failed"))
      return {Cause::ConnectFailure, "no TCP connection to the node", "Check the network path and that the node listens on that port."};
    if (has(line, "no response within"))
      return {Cause::OriginTimeout, "the node did not answer in time", "Check the node's service."};
  }
  for (const auto& line : lines)
    if (has(line, "ERROR: SSL connection failed"))
      return {Cause::TlsFailure, "TLS handshake failed", "Check the node's TLS configuration: " + line.substr(line.find("': ") + 3)};
  return {};
}

bool is_verification_failure(Cause c) {
  switch (c) {
    case Cause::SelfSigned:
    case Cause::UntrustedChain:
    case Cause::MissingIntermediate:
    case Cause::Expired:
    case Cause::NotYetValid:
    case Cause::NameNotInCertificate:
    case Cause::IpNotInCertificate: return true;
    default: return false;
  }
}

}  // namespace mratls::logs
