#include "verify/fix_catalogue.hpp"

#include <openssl/x509_vfy.h>

#include <algorithm>

#include "verify/doctor/certificate_facts.hpp"

namespace mratls::verify {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
// clang 16 does not deduce an aggregate's template arguments by itself.
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// One finding in words, before the renderer puts the findings together.
struct Part {
  Cause cause = Cause::None;
  std::string summary;
  std::string fix;
};

std::string key(const std::string& id) { return id.empty() ? std::string() : " (key id " + id + ")"; }

constexpr const char* kTrustStoreMenu = "the Expressway-C trust store (Maintenance > Security > Trusted CA certificate)";

// The chain and the store say which certificate is missing and on which box the fix is made.
Part chain_gap(const ChainRefused& c, const ChainGap& g) {
  const auto& n = c.name;
  const std::string missing = "'" + g.missing + "'" + key(g.missing_key_id);
  switch (g.kind) {
    case ChainGap::Kind::RootNotTrusted:
      return {Cause::UntrustedChain, n + " sends its chain up to the root " + missing + ", which the trust store does not hold",
              "Upload the root CA " + missing + " to " + kTrustStoreMenu + ", if it is a CA you trust."};
    case ChainGap::Kind::RekeyedCa: {
      const std::string held = "'" + g.missing + "'" + key(g.store_key_id) + (g.store_source.empty() ? "" : " (" + g.store_source + ")");
      const std::string presented = "'" + g.missing + "'" + key(g.missing_key_id);
      // A node's own self-signed certificate: regenerated, or another of its certificates with the
      // same CN (CUCM's tomcat and CallManager are the usual pair). Either way only one can stay.
      if (g.node_certificate)
        return {Cause::RekeyedCa,
                "the trust store holds " + held + ", but " + n + " presents another self-signed certificate of that name, " +
                    presented + ": it was regenerated, or it is another certificate of the node with the same CN",
                "Expressway keeps one certificate per CN: if " + n + " regenerated its certificate, replace " + held + " with " +
                    presented + " in " + kTrustStoreMenu + "; if both are current (CUCM's tomcat and CallManager share a CN), "
                    "have the node's certificates CA-signed and trust that CA instead."};
      return {Cause::RekeyedCa,
              "the trust store holds " + held + ", but " + n +
                  (g.certificate == g.missing ? " sends " + presented : "'s certificate '" + g.certificate + "' was signed by " + presented) +
                  ": the same name with another key, a CA re-keyed or generated anew",
              std::string("Keep the current one of the two in ") + kTrustStoreMenu + ": if the CA was re-keyed, replace " + held + " with " +
                  presented + " (Expressway keeps one certificate per CN: delete the old one first); if " + held +
                  " is the current CA, have " + n + "'s certificate reissued by it."};
    }
    case ChainGap::Kind::IntermediateLeftOut:
      return {Cause::MissingIntermediate,
              n + " leaves the intermediate " + missing + ", which signed '" + g.certificate + "', out of the chain it sends",
              "Make " + n + " send its full chain (on CUCM: upload " + missing +
                  " to tomcat-trust, then regenerate or re-upload the tomcat certificate so that the chain includes it), or "
                  "upload " + missing + " to " + kTrustStoreMenu + "." +
                  (g.root_also_missing.empty() ? std::string()
                                               : " The trust store lacks the root the node sends, " + g.root_also_missing +
                                                     ", as well: upload it too, or the chain still ends untrusted.")};
    case ChainGap::Kind::IssuerNotTrusted:
      return {Cause::UntrustedChain,
              "the trust store lacks " + missing + ", the CA that signed the certificate of " + n + ", and " + n +
                  " sends its certificate alone",
              "Upload the CA certificate " + missing + " to " + kTrustStoreMenu + ". If it is an intermediate CA, its root must be "
              "there too (or have " + n + " send the intermediate with its certificate)."};
    case ChainGap::Kind::RootOfChainNotTrusted:
      // Most likely the root, but an intermediate above an intermediate reads the same.
      return {Cause::UntrustedChain,
              "the chain of " + n + " reaches the CA '" + g.certificate + "', whose issuer " + missing +
                  " the trust store does not hold",
              "Upload " + missing + " (the root of this chain; if it is itself an intermediate, its root too) to " +
                  kTrustStoreMenu + "."};
  }
  return {};
}

constexpr std::string_view kEcdsaUnderTls12 =
    " It is an ECDSA certificate (tomcat-ECDSA): under TLS 1.2 the cipher prefix ECDHE-RSA-AES256-GCM-SHA384: also makes "
    "the node present its RSA certificate instead.";
constexpr std::string_view kEcdsaUnderTls13 =
    " The RSA-first cipher prefix cannot help here: the node negotiates TLS 1.3, where the cipher string does not choose "
    "the certificate.";
// With a string in force that prefers RSA already (the RSA-first prefix, or a site's own such as
// …:+ECDSA): what the preference is, not how the string spells it.
constexpr std::string_view kEcdsaWithoutRsa =
    " The cipher string in force prefers RSA already, and the node still presents this ECDSA certificate under TLS 1.2: "
    "it has no RSA certificate to offer instead, so the RSA-first workaround cannot help here.";
constexpr std::string_view kPrefixInForce =
    " The cipher string in force prefers RSA already, and the node still presents a self-signed certificate (under TLS "
    "1.3 the cipher string does not choose it, or its RSA certificate is self-signed too): the RSA-first workaround cannot "
    "help here.";
// From a log line alone the key type is unknown: the prefix is offered for the ECDSA case.
constexpr std::string_view kLinesOnlyAside =
    " (with an ECDSA certificate such as tomcat-ECDSA, the RSA-first cipher prefix ECDHE-RSA-AES256-GCM-SHA384: also "
    "avoids it under TLS 1.2)";

constexpr std::string_view kRsaRefusedToo =
    " The RSA-first cipher prefix would not heal it: the RSA certificate the node then presents is refused too.";

// Whether the cipher string can steer the node away from this certificate, in the facts' words:
// only an ECDSA certificate under TLS 1.2 can be avoided that way, and only while the string
// prefers ECDSA and the node has an RSA certificate that passes.
std::string_view steering(const std::optional<PresentedLeaf>& leaf, const Facts& f) {
  const bool tls13 = f.tls13.value_or(leaf && leaf->tls13);
  const bool rsa_first = f.preference == CertificatePreference::Rsa;
  if (leaf) {
    if (!leaf->ecdsa) return {};
    if (tls13) return kEcdsaUnderTls13;
    if (rsa_first) return kEcdsaWithoutRsa;
    if (f.other_certificate == OtherCertificate::RefusedToo) return kRsaRefusedToo;
    return kEcdsaUnderTls12;
  }
  if (tls13) return kEcdsaUnderTls13;
  if (rsa_first) return kPrefixInForce;
  return {};
}

// With the certificate seen, the fix names it and says whether the cipher string can steer the
// node to another one; from a log line alone it says what may be true.
std::string self_signed_fix(const std::string& n, const std::optional<PresentedLeaf>& leaf, const Facts& f) {
  const auto steer = steering(leaf, f);
  if (!leaf) {
    const bool open = !f.tls13.value_or(false) && f.preference == CertificatePreference::Ecdsa;
    return "Upload the self-signed certificate of " + n + " to the Expressway-C trust store, or have it signed by a CA the trust store holds" +
           std::string(open ? kLinesOnlyAside : std::string_view{}) + "." + std::string(steer);
  }
  return "Upload the self-signed certificate '" + leaf->subject_cn + "' of " + n +
         " to the Expressway-C trust store (on every Expressway-C cluster node), or have it signed by a CA the "
         "trust store holds." + std::string(steer);
}

std::string named(const std::optional<PresentedLeaf>& leaf, const std::string& n) {
  return leaf ? "'" + leaf->subject_cn + "' of " + n : "the certificate of " + n;
}

Part name_not_in_certificate(const NameNotInCertificate& c) {
  const auto& n = c.name;
  const auto& leaf = c.leaf;
  if (c.ip) {
    std::string fix = "Change CUCM System > Server to the node's FQDN";
    if (leaf && !leaf->dns_sans.empty()) fix += " (" + leaf->dns_sans.front() + ", which its certificate names)";
    fix += " and refresh the servers on Expressway-C, or add " + n + " to " + (leaf ? "'" + leaf->subject_cn + "'" : "the certificate") +
           " as a DNS-type SAN";
    if (leaf && std::ranges::find(leaf->ip_sans, n) != leaf->ip_sans.end())
      fix += " (it is there only as an IP-address SAN, which the traffic server does not consult)";
    else fix += " (an IP-address SAN is not consulted by the traffic server)";
    return {Cause::IpNotInCertificate,
            "the cluster advertises a node by IP address " + n + ", which its certificate does not name", fix + "."};
  }
  // A certificate for another host: the node may serve the wrong certificate, or the cluster
  // may advertise an alias. Reissuing is right either way; renaming only for an alias.
  std::string held;
  if (leaf) {
    held = " (it presents '" + leaf->subject_cn + "'";
    if (!leaf->dns_sans.empty()) {
      held += ", for";
      for (std::size_t i = 0; i < leaf->dns_sans.size() && i < 3; ++i) held += (i ? ", " : " ") + leaf->dns_sans[i];
      if (leaf->dns_sans.size() > 3) held += ", ...";
    }
    held += ")";
  }
  return {Cause::NameNotInCertificate, n + " is not a name in its certificate",
          "Reissue the certificate of " + n + " with " + n + " as a SAN" + held +
              ", or, if " + n + " is another name of the host the certificate names, make the cluster advertise that name."};
}

Part chain_refused(const ChainRefused& c, const Facts& f) {
  if (c.gap) return chain_gap(c, *c.gap);
  const auto& n = c.name;
  // The presented leaf is the certificate at fault only at depth 0: an expired intermediate is
  // not renewed by renewing the leaf.
  const std::optional<PresentedLeaf> at_fault = c.depth == 0 ? c.leaf : std::nullopt;
  switch (c.x509_error) {
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return {Cause::UntrustedChain, "the chain of " + n + " ends in a root the trust store does not hold",
              "Upload the root CA that " + n + " sends to " + kTrustStoreMenu + ", if it is a CA you trust."};
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return {Cause::SelfSigned, "self-signed certificate on " + n, self_signed_fix(n, at_fault, f)};
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      // From a log line alone: the issuer is missing, but whether it is a root the store lacks, an
      // intermediate the node left out or a re-keyed CA only the chain can tell.
      if (at_fault)
        return {Cause::UntrustedChain,
                "the trust store holds no CA that issued the certificate of " + n + ", and " + n + " did not send it",
                "Upload '" + at_fault->issuer_cn + "', the CA that issued the certificate of " + n + ", to " + kTrustStoreMenu +
                    " with the CAs above it up to the root, or have " + n + " send its full chain."};
      if (c.depth == 0)
        return {Cause::UntrustedChain,
                "the trust store holds no CA that issued the certificate of " + n + ", and " + n + " did not send it",
                "Upload the CA that issued the certificate of " + n + " (its issuer; `mratls check` or a capture names it) to " +
                    kTrustStoreMenu + ", with its root if it is an intermediate, or have " + n + " send its full chain."};
      return {Cause::UntrustedChain, "the chain of " + n + " leads to a CA the trust store does not hold",
              "Upload the root CA and every intermediate of the chain that " + n + " presents to the Expressway-C trust store."};
    case X509_V_ERR_CERT_HAS_EXPIRED:
      if (c.depth > 0)
        return {Cause::Expired, "a CA certificate in the chain of " + n + " has expired (depth " + std::to_string(c.depth) + ")",
                "Renew the expired CA certificate of the chain " + n + " sends (depth " + std::to_string(c.depth) +
                    ", `mratls check` names it), and replace it on the node and in the Expressway-C trust store."};
      return {Cause::Expired, "the certificate of " + n + " has expired",
              "Renew " + named(at_fault, n) + (at_fault ? " (expired " + at_fault->not_after + ")" : std::string()) + "."};
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return {Cause::NotYetValid, "the certificate of " + n + " is not yet valid",
              "Check the clocks of " + n + " and of Expressway-C (NTP), or reissue " + named(at_fault, n) +
                  (at_fault ? " (valid from " + at_fault->not_before + ")" : std::string()) + "."};
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
    case Cause::RekeyedCa: return "rekeyed-ca";
    case Cause::Expired: return "expired";
    case Cause::NotYetValid: return "not-yet-valid";
    case Cause::NameNotInCertificate: return "name-not-in-certificate";
    case Cause::IpNotInCertificate: return "ip-not-in-certificate";
    case Cause::ClientCertRejected: return "client-certificate-rejected";
    case Cause::TlsFailure: return "tls-failure";
    case Cause::ConnectFailure: return "connect-failure";
    case Cause::Denied: return "not-in-allow-list";
    case Cause::OriginTimeout: return "origin-timeout";
    case Cause::OtherWarning: return "other-warning";
    case Cause::ClientCertUntested: return "client-certificate-untested";
  }
  return "?";
}

bool is_verification_failure(Cause c) {
  switch (c) {
    case Cause::SelfSigned:
    case Cause::UntrustedChain:
    case Cause::MissingIntermediate:
    case Cause::RekeyedCa:
    case Cause::Expired:
    case Cause::NotYetValid:
    case Cause::NameNotInCertificate:
    case Cause::IpNotInCertificate: return true;
    default: return false;
  }
}

Cause cause_from_string(std::string_view text) {
  for (int c = 0; c <= static_cast<int>(Cause::Last); ++c)
    if (text == to_string(static_cast<Cause>(c))) return static_cast<Cause>(c);
  return Cause::None;
}

bool lines_agree(Cause from_lines, Cause from_chain) {
  if (from_lines == from_chain) return true;
  return from_lines == Cause::UntrustedChain &&
         (from_chain == Cause::MissingIntermediate || from_chain == Cause::RekeyedCa);
}

// The nodes read their trust stores when their services start (Cisco TAC note 225746).
constexpr std::string_view kRestartForTrust =
    " Then restart Cisco TFTP and Cisco CallManager on the nodes that run them, and Cisco Tomcat (utils service restart "
    "Cisco Tomcat), so that they read it.";

namespace {

// A node that answers the ClientHello with a handshake failure while the string in force offers
// no TLS 1.2 suite for one kind of certificate (…:!aRSA): most likely it has only that kind.
// Under TLS 1.3 the cipher string does not restrict the certificate, so it cannot be this.
std::optional<Part> no_suite_for_its_certificate(const HandshakeFailed& h, const Facts& f) {
  // Neither offered: a ClientHello of TLS 1.3 suites only, which says nothing of the certificate.
  if (!f.offered || f.tls13 == true || f.offered->rsa == f.offered->ecdsa) return std::nullopt;
  if (h.text.find("alert handshake failure") == std::string::npos && h.text.find("no shared cipher") == std::string::npos)
    return std::nullopt;
  const bool rsa_missing = !f.offered->rsa;
  const std::string lacking = rsa_missing ? "RSA" : "ECDSA", other = rsa_missing ? "ECDSA" : "RSA";
  return Part{Cause::TlsFailure,
              h.name + " answered with a handshake failure: the cipher string offers no TLS 1.2 suite with " + lacking +
                  " authentication, and " + h.name + " most likely has an " + lacking + " certificate only",
              "Put suites with " + lacking + " authentication back into Expressway-C's cipher string (take out the term that "
              "removes them, such as " + (rsa_missing ? "!aRSA" : "!ECDSA") + "), or give " + h.name + " a CA-signed " + other +
                  " certificate (on CUCM: " + (rsa_missing ? "tomcat-ECDSA" : "tomcat") + ")."};
}

// One finding in words.
Part part(const Outcome& outcome, const Facts& f) {
  return std::visit(
      Overloaded{
          [&](const ChainRefused& c) { return chain_refused(c, f); },
          [](const NameNotInCertificate& n) { return name_not_in_certificate(n); },
          [](const ClientCertificateRefused& c) -> Part {
            if (!c.presented)
              return {Cause::ClientCertRejected,
                      "the node requires a client certificate and Expressway-C presented none (alert '" + c.alert + "')",
                      "Expressway-C must present its server certificate when the node asks (mratls: server_certificate and "
                      "server_private_key, or check --client-cert/--client-key), and the node must trust its CA: upload the "
                      "Expressway-C certificate's CA chain to CUCM's tomcat-trust and CallManager-trust." +
                          std::string(kRestartForTrust)};
            std::string fix =
                "Upload the Expressway-C certificate's CA chain to CUCM's tomcat-trust and CallManager-trust." +
                std::string(kRestartForTrust);
            if (c.alert == "unsupported certificate" || c.alert == "bad certificate" || c.alert == "certificate unknown")
              fix += " Check too that the Expressway-C certificate has TLS Web Client Authentication (clientAuth) in its "
                     "Extended Key Usage, and that it has not expired.";
            return {Cause::ClientCertRejected, "the node refused Expressway-C's client certificate (alert '" + c.alert + "')",
                    fix};
          },
          [&](const HandshakeFailed& h) -> Part {
            if (auto explained = no_suite_for_its_certificate(h, f)) return *explained;
            return {Cause::TlsFailure, "TLS handshake failed",
                    "Check that " + h.name + " listens with TLS on this port and shares a TLS version and a cipher suite "
                    "with Expressway-C (this fails before X14.2 too): " + h.text};
          },
          [](const NetworkFailure& n) -> Part {
            return {Cause::ConnectFailure, "no TCP connection to the node" + (n.text.empty() ? "" : " (" + n.text + ")"),
                    "Check the network path" + (n.origin.empty() ? std::string() : " from Expressway-C to " + n.origin) +
                        " and that the node listens on that port."};
          },
          [](const OriginTimeout&) -> Part {
            return {Cause::OriginTimeout, "the node did not answer in time", "Check the node's service."};
          },
          [](const ClientCertificateUntested& u) -> Part {
            return {Cause::ClientCertUntested,
                    u.name + " asks for a client certificate, and none was presented to it: Expressway-C presents its own, "
                             "which the node may refuse",
                    "Run check again with --client-cert and --client-key (Expressway-C's certificate and key), or make sure "
                    "that the node trusts Expressway-C's CA (CUCM's tomcat-trust and CallManager-trust)."};
          },
          [](const OtherLine& l) -> Part {
            return {Cause::OtherWarning, "the traffic server wrote " + l.text,
                    "mratls knows no cause for this line: read it with the lines written around it (Maintenance > "
                    "Diagnostics > Diagnostic logging, at DEBUG), and if it concerns an origin, test that node with mratls "
                    "check."};
          },
          [](const Denied&) -> Part {
            return {Cause::Denied, "the request is not in the allow list",
                    "Refresh the servers on Expressway-C (Configuration > Unified Communications) so that the node is known, "
                    "or add an allow-list rule."};
          },
      },
      outcome);
}

// The findings that one new certificate cures together, and how it must be made.
struct Reissue {
  const ChainRefused* self_signed = nullptr;  // depth 0
  const ChainRefused* validity = nullptr;     // depth 0: expired or not yet valid
  const NameNotInCertificate* name = nullptr;  // a DNS name (an address has its own fix)
  std::optional<PresentedLeaf> leaf;
  std::string node;

  // Whether one certificate made anew cures several findings.
  bool cures_several() const { return (self_signed != nullptr) + (validity != nullptr) + (name != nullptr) >= 2; }
};

Reissue reissue_of(const std::vector<Outcome>& findings) {
  Reissue r;
  for (const auto& o : findings) {
    if (const auto* c = std::get_if<ChainRefused>(&o); c && c->depth == 0 && !c->gap) {
      if (c->x509_error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT && !r.self_signed) r.self_signed = c;
      if ((c->x509_error == X509_V_ERR_CERT_HAS_EXPIRED || c->x509_error == X509_V_ERR_CERT_NOT_YET_VALID) && !r.validity)
        r.validity = c;
      if (c->leaf && !r.leaf) r.leaf = c->leaf;
      if (r.node.empty()) r.node = c->name;
    }
    if (const auto* n = std::get_if<NameNotInCertificate>(&o); n && !n->ip && !r.name) {
      r.name = n;
      if (n->leaf && !r.leaf) r.leaf = n->leaf;
      if (r.node.empty()) r.node = n->name;
    }
  }
  return r;
}

// One certificate that cures them all: its name, its validity, who signs it.
std::string reissue_fix(const Reissue& r, const Facts& f) {
  const auto& n = r.node;
  const bool expired = r.validity && r.validity->x509_error == X509_V_ERR_CERT_HAS_EXPIRED;
  std::string state;
  if (r.validity) {
    if (expired) state = r.leaf ? "the one it presents expired " + r.leaf->not_after : "the one it presents has expired";
    else state = r.leaf ? "the one it presents is valid only from " + r.leaf->not_before : "the one it presents is not yet valid";
  }
  std::string made = " with " + n + " as a SAN";
  if (!r.name) made.clear();
  if (r.validity) made += f.judged_at ? ", valid past " + doctor::iso_day(*f.judged_at) : std::string(", with a validity that covers today");
  std::string fix;
  if (r.validity && !expired) fix = "Check the clocks of " + n + " and of Expressway-C (NTP); if they are right, ";
  const std::string which = r.leaf ? "'" + r.leaf->subject_cn + "' of " + n : "the certificate of " + n;
  if (r.self_signed) {
    fix += std::string(fix.empty() ? "Regenerate" : "regenerate") + " the self-signed certificate " + which + made +
           (state.empty() ? "" : " (" + state + ")") +
           ", then upload the new one to the Expressway-C trust store, or have one issued by a CA the trust store holds." +
           std::string(steering(r.leaf, f));
  } else {
    fix += std::string(fix.empty() ? "Reissue" : "reissue") + " " + which + made + (state.empty() ? "" : " (" + state + ")") + ".";
  }
  return fix;
}

}  // namespace

Diagnosis diagnose(const Facts& facts) {
  Diagnosis d;
  if (facts.findings.empty()) return d;
  // The issuer not found, then the leaf not verifiable (log-only writes both): one gap, said once.
  Facts f = facts;
  bool chain_said = false;
  std::erase_if(f.findings, [&](const Outcome& o) {
    const auto* c = std::get_if<ChainRefused>(&o);
    if (!c) return false;
    const bool again = chain_said && c->x509_error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
    chain_said = true;
    return again;
  });
  std::vector<Part> parts;
  for (const auto& o : f.findings) parts.push_back(part(o, f));
  d.cause = parts.front().cause;

  // The reason: every finding's, in order; the date of the change where validity is judged then.
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (std::ranges::any_of(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(i),
                            [&](const Part& p) { return p.summary == parts[i].summary; }))
      continue;
    if (!d.summary.empty()) d.summary += "; and ";
    d.summary += parts[i].summary;
    if (facts.judged_at && (parts[i].cause == Cause::Expired || parts[i].cause == Cause::NotYetValid))
      d.summary += " at " + doctor::iso_day(*facts.judged_at) + ", the date of the change";
  }
  const std::optional<PresentedLeaf>* leaf = nullptr;
  if (const auto* c = std::get_if<ChainRefused>(&f.findings.front())) leaf = &c->leaf;
  if (const auto* n = std::get_if<NameNotInCertificate>(&f.findings.front())) leaf = &n->leaf;
  if (facts.other_certificate == OtherCertificate::Passes) {
    const bool ecdsa = facts.preference == CertificatePreference::Ecdsa;
    d.summary = std::string("fails only ") + label(facts.preference) + " (the " + (ecdsa ? "RSA" : "ECDSA") +
                " certificate passes): " + d.summary;
    if (leaf && *leaf) d.summary += ", '" + (*leaf)->subject_cn + "' issued by '" + (*leaf)->issuer_cn + "'";
  }
  if (facts.passed_by_log_only)
    d.summary = "passes only because of log-only (Traffic Server's permissive policy, this emulator's preview: Expressway has "
                "VerifyOriginServer On and Off only); On would refuse it: " + d.summary;

  // The fixes, in the order the findings come: one certificate made anew where it cures several.
  const auto reissue = reissue_of(f.findings);
  bool reissue_said = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& o = f.findings[i];
    const auto* c = std::get_if<ChainRefused>(&o);
    const auto* n = std::get_if<NameNotInCertificate>(&o);
    const bool cured_by_reissue = reissue.cures_several() &&
                                  ((c && (c == reissue.self_signed || c == reissue.validity)) || (n && n == reissue.name));
    std::string fix = cured_by_reissue ? (reissue_said ? std::string() : reissue_fix(reissue, facts)) : parts[i].fix;
    reissue_said = reissue_said || cured_by_reissue;
    if (!fix.empty() && std::ranges::find(d.fixes, fix) == d.fixes.end()) d.fixes.push_back(std::move(fix));
  }
  if (d.fixes.size() == 1) {
    d.fix = d.fixes.front();
  } else {
    for (std::size_t i = 0; i < d.fixes.size(); ++i)
      d.fix += (i ? " " : "") + std::string("(") + std::to_string(i + 1) + ") " + d.fixes[i];
  }
  return d;
}

}  // namespace mratls::verify
