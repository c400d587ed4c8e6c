#include "logs/diagnosis.hpp"

#include <optional>
#include <regex>

namespace mratls::logs {
namespace {

bool has(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }

struct CoreFailure {
  std::string name;
  std::string error;
  int depth = 0;
};

std::optional<CoreFailure> core_failure(const std::string& line) {
  static const std::regex re(R"(Core server certificate verification failed for \(([^)]*)\)\. Action=\w+ Error=(.*) server=\S+ depth=(\d+))");
  std::smatch m;
  if (!std::regex_search(line, m, re)) return std::nullopt;
  return CoreFailure{m[1], m[2], std::stoi(m[3])};
}

bool is_ip(const std::string& s) {
  static const std::regex ip(R"(^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]+:[0-9a-fA-F:]*$)");
  return std::regex_match(s, ip);
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
    static const std::regex sni(R"(SNI \(([^)]*)\) not in certificate)");
    std::smatch m;
    if (std::regex_search(line, m, sni)) {
      std::string name = m[1];
      if (is_ip(name))
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
