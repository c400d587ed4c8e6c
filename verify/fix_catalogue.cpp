#include "verify/fix_catalogue.hpp"

#include <openssl/x509_vfy.h>

namespace mratls::verify {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
// clang 16 does not deduce an aggregate's template arguments by itself.
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

Diagnosis chain_refused(const ChainRefused& c) {
  const auto& n = c.name;
  switch (c.x509_error) {
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return {Cause::UntrustedChain, "the chain of " + n + " ends in a root the trust store does not hold",
              "Upload that root CA (and any intermediate) of " + n + " to the Expressway-C trust store."};
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return {Cause::SelfSigned, "self-signed certificate on " + n,
              "Upload the self-signed certificate of " + n +
                  " to the Expressway-C trust store, or have it signed by a CA the trust store holds (with an ECDSA "
                  "certificate such as tomcat-ECDSA, the RSA-first cipher prefix ECDHE-RSA-AES256-GCM-SHA384: also avoids it "
                  "under TLS 1.2)."};
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      if (c.depth == 0)
        return {Cause::MissingIntermediate, n + " sends its certificate without the issuing CA, which the trust store lacks",
                "Upload the intermediate CA that signed the certificate of " + n +
                    " to the Expressway-C trust store, or make the node send its full chain."};
      return {Cause::UntrustedChain, "the chain of " + n + " leads to a CA the trust store does not hold",
              "Upload the root CA and every intermediate of the chain that " + n + " presents to the Expressway-C trust store."};
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return {Cause::Expired, "the certificate of " + n + " has expired", "Renew the certificate of " + n + "."};
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return {Cause::NotYetValid, "the certificate of " + n + " is not yet valid",
              "Check the clocks of " + n + " and of Expressway-C (NTP), or reissue the certificate."};
    default:
      return {Cause::TlsFailure, "certificate of " + n + " refused: " + c.error_text,
              "Fix the certificate of " + n + " (" + c.error_text + ")."};
  }
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

Diagnosis explain(const Outcome& outcome) {
  return std::visit(
      Overloaded{
          [](const ChainRefused& c) { return chain_refused(c); },
          [](const NameNotInCertificate& n) -> Diagnosis {
            if (n.ip)
              return {Cause::IpNotInCertificate,
                      "the cluster advertises a node by IP address " + n.name + ", which its certificate does not name",
                      "Change CUCM System > Server to the node's FQDN and refresh the servers on Expressway-C, or add " + n.name +
                          " to the certificate as a DNS-type SAN (an IP-address SAN is not consulted by the traffic server)."};
            return {Cause::NameNotInCertificate, n.name + " is not a name in its certificate",
                    "Reissue the certificate with " + n.name +
                        " as a SAN, or make the cluster advertise a name the certificate holds."};
          },
          [](const ClientCertificateRefused&) -> Diagnosis {
            return {Cause::ClientCertRejected, "the node refused Expressway-C's client certificate",
                    "Upload the Expressway-C certificate's CA chain to CUCM's tomcat-trust and CallManager-trust."};
          },
          [](const HandshakeFailed& h) -> Diagnosis {
            return {Cause::TlsFailure, "TLS handshake failed", "Check the node's TLS configuration: " + h.text};
          },
          [](const NetworkFailure&) -> Diagnosis {
            return {Cause::ConnectFailure, "no TCP connection to the node",
                    "Check the network path and that the node listens on that port."};
          },
          [](const OriginTimeout&) -> Diagnosis {
            return {Cause::OriginTimeout, "the node did not answer in time", "Check the node's service."};
          },
          [](const Denied&) -> Diagnosis {
            return {Cause::Denied, "the request is not in the allow list",
                    "Refresh the servers on Expressway-C (Configuration > Unified Communications) so that the node is known, "
                    "or add an allow-list rule."};
          },
      },
      outcome);
}

}  // namespace mratls::verify
