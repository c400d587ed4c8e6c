#include "replay/node_shape.hpp"

#include <openssl/x509_vfy.h>

#include <type_traits>

namespace mratls::replay {
namespace {

NodeShape chain_shape(const verify::ChainRefused& c) {
  switch (c.x509_error) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return {Build::SelfSigned, 0, false, {}};
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      // The root is sent at the depth named; a root at depth 0 would be the self-signed case.
      return {Build::UntrustedRoot, c.depth < 1 ? 1 : c.depth, true, {}};
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: return {Build::UntrustedRoot, c.depth, false, {}};
    case X509_V_ERR_CERT_HAS_EXPIRED: return {Build::Expired, c.depth, false, {}};
    case X509_V_ERR_CERT_NOT_YET_VALID: return {Build::NotYetValid, c.depth, false, {}};
    default:
      return {Build::Unbuildable, c.depth, false,
              "the lab builds no certificate that fails with '" + c.error_text + "' (only self-signed, untrusted CA, "
              "expired and not yet valid certificates)"};
  }
}

}  // namespace

NodeShape shape_of(const std::optional<verify::Outcome>& outcome) {
  if (!outcome) return {};
  return std::visit(
      [](const auto& o) -> NodeShape {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, verify::ChainRefused>) return chain_shape(o);
        else if constexpr (std::is_same_v<T, verify::NameNotInCertificate>) return {Build::OtherName, 0, false, {}};
        else if constexpr (std::is_same_v<T, verify::ClientCertificateRefused>) {
          if (o.alert == "unknown ca" && o.presented) return {Build::RefusesClientCertificate, 0, false, {}};
          return {Build::Unbuildable, 0, false,
                  "the node refused Expressway-C's certificate with '" + o.alert + "'" + (o.presented ? "" : ", none presented") +
                      "; the lab's nodes refuse one with 'unknown ca' only"};
        } else if constexpr (std::is_same_v<T, verify::HandshakeFailed>)
          return {Build::Unbuildable, 0, false, "a handshake failure the lab cannot build: " + o.text};
        else if constexpr (std::is_same_v<T, verify::NetworkFailure>) return {Build::NotListening, 0, false, {}};
        else if constexpr (std::is_same_v<T, verify::OriginTimeout>) return {Build::Stalls, 0, false, {}};
        else if constexpr (std::is_same_v<T, verify::ClientCertificateUntested>)
          return {Build::Unbuildable, 0, false, "a node whose answer to Expressway-C's certificate is not known"};
        else if constexpr (std::is_same_v<T, verify::OtherLine>)
          return {Build::Unbuildable, 0, false, "a line the lab has no node for: " + o.text};
        else return {Build::NotAllowed, 0, false, {}};
      },
      *outcome);
}

const char* to_string(Build b) {
  switch (b) {
    case Build::CaSigned: return "CA-signed";
    case Build::SelfSigned: return "self-signed";
    case Build::UntrustedRoot: return "untrusted root";
    case Build::Expired: return "expired";
    case Build::NotYetValid: return "not yet valid";
    case Build::OtherName: return "another name";
    case Build::RefusesClientCertificate: return "refuses the client certificate";
    case Build::NotListening: return "not listening";
    case Build::Stalls: return "stalls";
    case Build::NotAllowed: return "not in the allow list";
    case Build::Unbuildable: return "cannot be built";
    case Build::NoPort: return "no right to its port";
  }
  return "?";
}

}  // namespace mratls::replay
