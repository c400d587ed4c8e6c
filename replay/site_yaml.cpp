#include "replay/site_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include "mra/mra_path.hpp"
#include "replay/site_captures.hpp"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string_view>

namespace mratls::replay {
namespace {

using verify::doctor::CertificateFacts;
using verify::doctor::NameField;

const char* type_value(config::ServerType t) {
  switch (t) {
    case config::ServerType::UnifiedCm: return "cucm";
    case config::ServerType::ImAndPresence: return "im-and-presence";
    case config::ServerType::UnityConnection: return "unity-connection";
  }
  return "cucm";
}

void emit_name(YAML::Emitter& y, const std::vector<NameField>& name) {
  y << YAML::BeginSeq;
  for (const auto& f : name) y << YAML::Flow << YAML::BeginMap << YAML::Key << f.field << YAML::Value << f.value << YAML::EndMap;
  y << YAML::EndSeq;
}

void emit_certificate(YAML::Emitter& y, const CertificateFacts& c) {
  y << YAML::BeginMap;
  y << YAML::Key << "subject" << YAML::Value;
  emit_name(y, c.subject);
  y << YAML::Key << "issuer" << YAML::Value;
  emit_name(y, c.issuer);
  y << YAML::Key << "dns_sans" << YAML::Value << YAML::Flow << c.dns_sans;
  y << YAML::Key << "ip_sans" << YAML::Value << YAML::Flow << c.ip_sans;
  y << YAML::Key << "key" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "type" << YAML::Value << c.key.type
    << YAML::Key << "bits" << YAML::Value << c.key.bits << YAML::Key << "curve" << YAML::Value << c.key.curve << YAML::EndMap;
  y << YAML::Key << "not_before" << YAML::Value << verify::doctor::iso_time(c.not_before);
  y << YAML::Key << "not_after" << YAML::Value << verify::doctor::iso_time(c.not_after);
  y << YAML::Key << "ca" << YAML::Value << c.is_ca;
  y << YAML::Key << "self_signed" << YAML::Value << c.self_signed;
  y << YAML::Key << "extended_key_usage" << YAML::Value << YAML::Flow << c.extended_key_usage;
  y << YAML::Key << "has_extended_key_usage" << YAML::Value << c.has_extended_key_usage;
  y << YAML::Key << "key_usage" << YAML::Value << YAML::Flow << c.key_usage;
  y << YAML::Key << "has_key_usage" << YAML::Value << c.has_key_usage;
  y << YAML::Key << "basic_constraints" << YAML::Value << c.has_basic_constraints;
  if (c.path_length) y << YAML::Key << "path_length" << YAML::Value << *c.path_length;
  std::vector<std::string> critical;
  for (const auto& e : c.extensions)
    if (e.critical) critical.push_back(e.short_name);
  y << YAML::Key << "critical" << YAML::Value << YAML::Flow << critical;
  y << YAML::Key << "signature_digest" << YAML::Value << c.signature_digest;
  y << YAML::Key << "fingerprint" << YAML::Value << c.sha256_fingerprint;
  y << YAML::EndMap;
}

constexpr std::string_view kKeyUsages[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                           "dataEncipherment", "keyAgreement",   "keyCertSign",
                                           "cRLSign",          "encipherOnly",   "decipherOnly"};

// Reading: every error names the file, the line and the key.
struct Reader {
  std::string file;

  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& what) const {
    throw std::runtime_error(file + ":" + std::to_string(n.Mark().line + 1) + ": " + key + ": " + what);
  }
  YAML::Node need(const YAML::Node& n, const std::string& parent, const char* key) const {
    auto v = n[key];
    if (!v) fail(n, parent.empty() ? key : parent + "." + key, "missing");
    return v;
  }
  template <class T>
  T as(const YAML::Node& n, const std::string& key) const {
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, key, "not a valid value: '" + (n.IsScalar() ? n.Scalar() : std::string("(a ") + (n.IsSequence() ? "list" : "map") + ")") + "'");
    }
  }
  std::vector<std::string> strings(const YAML::Node& n, const std::string& key) const {
    std::vector<std::string> out;
    if (!n) return out;
    if (!n.IsSequence()) fail(n, key, "expected a list");
    for (const auto& v : n) out.push_back(as<std::string>(v, key));
    return out;
  }
  std::vector<NameField> name(const YAML::Node& n, const std::string& key) const {
    std::vector<NameField> out;
    if (!n.IsSequence()) fail(n, key, "expected a list of {FIELD: value}");
    for (const auto& entry : n) {
      if (!entry.IsMap() || entry.size() != 1) fail(entry, key, "expected {FIELD: value}");
      for (const auto& kv : entry) out.push_back({as<std::string>(kv.first, key), as<std::string>(kv.second, key)});
    }
    return out;
  }
  // ECDSA-first | RSA-first, or (a ClientHello's) TLS 1.3 suites only, which is nothing.
  std::optional<verify::CertificatePreference> preference(const YAML::Node& n, const std::string& key, bool tls13_only = false) const {
    const auto text = as<std::string>(n, key);
    if (auto p = verify::preference_from_label(text)) return p;
    if (tls13_only && text == verify::kTls13SuitesOnly) return std::nullopt;
    fail(n, key, "expected " + std::string(verify::label(verify::CertificatePreference::Ecdsa)) + " or " +
                     verify::label(verify::CertificatePreference::Rsa) + (tls13_only ? std::string(" or ") + verify::kTls13SuitesOnly : "") +
                     ": '" + text + "'");
  }
  std::time_t time(const YAML::Node& n, const std::string& key) const {
    const auto text = as<std::string>(n, key);
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    if (in.fail()) fail(n, key, "not an ISO 8601 UTC time (2026-11-30T10:00:00Z): '" + text + "'");
    return timegm(&tm);
  }
  CertificateFacts certificate(const YAML::Node& n, const std::string& key) const {
    CertificateFacts c;
    c.subject = name(need(n, key, "subject"), key + ".subject");
    c.issuer = name(need(n, key, "issuer"), key + ".issuer");
    for (const auto& f : c.subject)
      if (f.field == "CN" && !c.first_cn) c.first_cn = f.value;
    c.dns_sans = strings(n["dns_sans"], key + ".dns_sans");
    c.ip_sans = strings(n["ip_sans"], key + ".ip_sans");
    const auto k = need(n, key, "key");
    c.key.type = as<std::string>(need(k, key + ".key", "type"), key + ".key.type");
    if (c.key.type != "RSA" && c.key.type != "ECDSA") fail(k, key + ".key.type", "RSA or ECDSA, not '" + c.key.type + "'");
    if (k["bits"]) c.key.bits = as<int>(k["bits"], key + ".key.bits");
    if (k["curve"]) c.key.curve = as<std::string>(k["curve"], key + ".key.curve");
    c.not_before = time(need(n, key, "not_before"), key + ".not_before");
    c.not_after = time(need(n, key, "not_after"), key + ".not_after");
    if (n["ca"]) c.is_ca = as<bool>(n["ca"], key + ".ca");
    if (n["self_signed"]) c.self_signed = as<bool>(n["self_signed"], key + ".self_signed");
    c.self_issued = c.subject == c.issuer;
    c.extended_key_usage = strings(n["extended_key_usage"], key + ".extended_key_usage");
    c.has_extended_key_usage = n["has_extended_key_usage"] ? as<bool>(n["has_extended_key_usage"], key + ".has_extended_key_usage")
                                                           : !c.extended_key_usage.empty();
    c.key_usage = strings(n["key_usage"], key + ".key_usage");
    for (std::size_t k = 0; k < c.key_usage.size(); ++k)
      if (std::ranges::find(kKeyUsages, c.key_usage[k]) == std::end(kKeyUsages))
        fail(n["key_usage"][k], key + ".key_usage[" + std::to_string(k) + "]",
             "not a key usage OpenSSL names: '" + c.key_usage[k] + "' (digitalSignature, keyCertSign, …)");
    c.has_key_usage = n["has_key_usage"] ? as<bool>(n["has_key_usage"], key + ".has_key_usage") : !c.key_usage.empty();
    // Older files without the key: the lab's own certificates all carry basic constraints.
    c.has_basic_constraints = n["basic_constraints"] ? as<bool>(n["basic_constraints"], key + ".basic_constraints") : true;
    if (n["path_length"]) {
      c.path_length = as<long>(n["path_length"], key + ".path_length");
      if (*c.path_length < 0) fail(n["path_length"], key + ".path_length", "not a path length: " + std::to_string(*c.path_length));
    }
    for (const auto& name : strings(n["critical"], key + ".critical")) c.extensions.push_back({name, name, true});
    if (n["signature_digest"]) c.signature_digest = as<std::string>(n["signature_digest"], key + ".signature_digest");
    if (n["fingerprint"]) c.sha256_fingerprint = as<std::string>(n["fingerprint"], key + ".fingerprint");
    return c;
  }
};

config::ServerType type_of(const Reader& r, const YAML::Node& n, const std::string& key) {
  const auto v = r.as<std::string>(n, key);
  for (auto t : {config::ServerType::UnifiedCm, config::ServerType::ImAndPresence, config::ServerType::UnityConnection})
    if (v == type_value(t)) return t;
  r.fail(n, key, "cucm, im-and-presence or unity-connection, not '" + v + "'");
}

SiteModel read_site(const Reader& r, const YAML::Node& root) {
  if (!root.IsMap()) r.fail(root, "(top)", "expected a map");
  const auto schema = r.as<std::string>(r.need(root, "", "schema"), "schema");
  if (schema != kSiteSchema) r.fail(root["schema"], "schema", std::string("expected ") + kSiteSchema + ", not '" + schema + "'");
  SiteModel site;
  if (root["system"]) site.system = r.as<std::string>(root["system"], "system");
  site.domains = r.strings(root["domains"], "domains");
  if (const auto s = root["settings"]) {
    const auto v = s["verify_origin_server"] ? r.as<std::string>(s["verify_origin_server"], "settings.verify_origin_server") : "unknown";
    if (v == "on") site.settings.verify = config::VerifyOriginServer::On;
    else if (v == "log-only") site.settings.verify = config::VerifyOriginServer::LogOnly;
    else if (v != "unknown") r.fail(s["verify_origin_server"], "settings.verify_origin_server", "on, log-only or unknown, not '" + v + "'");
    site.settings.verifies_per_request = site.settings.verify.has_value();
    // rsa_first: true | false is how site models written before the preference had a name say it.
    if (s["rsa_first"] && !s["rsa_first"].IsNull())
      site.settings.preference = r.as<bool>(s["rsa_first"], "settings.rsa_first") ? verify::CertificatePreference::Rsa
                                                                                     : verify::CertificatePreference::Ecdsa;
    if (s["preference"] && !s["preference"].IsNull())
      site.settings.preference = r.preference(s["preference"], "settings.preference");
    site.settings.evidence = r.strings(s["evidence"], "settings.evidence");
  }
  const auto origins = r.need(root, "", "origins");
  if (!origins.IsSequence() || origins.size() == 0) r.fail(origins, "origins", "expected a list of origins");
  for (std::size_t i = 0; i < origins.size(); ++i) {
    const auto n = origins[i];
    const auto key = "origins[" + std::to_string(i) + "]";
    SiteOrigin o;
    o.host = r.as<std::string>(r.need(n, key, "host"), key + ".host");
    const bool ip = mra::is_ip_literal(o.host);
    if (!ip && !mra::is_dns_name(o.host)) r.fail(n["host"], key + ".host", "not a host name or IP address: '" + o.host + "'");
    o.port = r.as<int>(r.need(n, key, "port"), key + ".port");
    if (o.port < 1 || o.port > 65535) r.fail(n["port"], key + ".port", "not a port: " + std::to_string(o.port));
    o.protocol = n["protocol"] ? r.as<std::string>(n["protocol"], key + ".protocol") : "https";
    if (o.protocol != "https" && o.protocol != "http") r.fail(n["protocol"], key + ".protocol", "https or http, not '" + o.protocol + "'");
    o.domain = n["domain"] ? r.as<std::string>(n["domain"], key + ".domain") : (site.domains.empty() ? "" : site.domains.front());
    o.type = n["type"] ? type_of(r, n["type"], key + ".type") : config::ServerType::UnifiedCm;
    o.host_is_ip = ip;
    if (n["advertised_by_ip"] && r.as<bool>(n["advertised_by_ip"], key + ".advertised_by_ip") != ip)
      r.fail(n["advertised_by_ip"], key + ".advertised_by_ip", std::string("says ") + (ip ? "false" : "true") + " for '" + o.host + "'");
    const auto requests = r.need(n, key, "requests");
    if (!requests.IsSequence() || requests.size() == 0) r.fail(requests, key + ".requests", "expected a list of requests");
    for (std::size_t k = 0; k < requests.size(); ++k) {
      const auto q = requests[k];
      const auto qk = key + ".requests[" + std::to_string(k) + "]";
      o.requests.push_back({q["method"] ? r.as<std::string>(q["method"], qk + ".method") : "GET",
                            r.as<std::string>(r.need(q, qk, "path"), qk + ".path"),
                            q["user"] ? r.as<std::string>(q["user"], qk + ".user") : "", r.as<int>(r.need(q, qk, "status"), qk + ".status"),
                            q["at_ms"] ? r.as<std::int64_t>(q["at_ms"], qk + ".at_ms") : 0});
    }
    o.shown = n["shown"] ? r.as<std::size_t>(n["shown"], key + ".shown") : 0;
    if (o.shown >= o.requests.size()) r.fail(n["shown"], key + ".shown", "no request " + std::to_string(o.shown));
    o.failed = o.status() >= 500 || o.status() == 403;
    o.lines = r.strings(n["lines"], key + ".lines");
    if (const auto c = n["captured"]) {
      CapturedTls tls;
      if (c["preference"]) tls.preference = r.preference(c["preference"], key + ".captured.preference", true);
      if (c["version"]) tls.version = r.as<std::string>(c["version"], key + ".captured.version");
      // Validity is copied relative to the capture's time: without one, the shown request's.
      tls.at_ms = c["at_ms"] ? r.as<std::int64_t>(c["at_ms"], key + ".captured.at_ms") : o.requests[o.shown].at_ms;
      if (const auto chain = c["chain"]) {
        if (!chain.IsSequence()) r.fail(chain, key + ".captured.chain", "expected a list of certificates");
        for (std::size_t k = 0; k < chain.size(); ++k)
          tls.chain.push_back(r.certificate(chain[k], key + ".captured.chain[" + std::to_string(k) + "]"));
      }
      o.captured = std::move(tls);
    }
    diagnose(o);  // the cause and fix, from the lines and the chain, as when the site was read
    site.origins.push_back(std::move(o));
  }
  return site;
}

}  // namespace

std::string site_yaml(const SiteModel& site) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "schema" << YAML::Value << kSiteSchema;
  y << YAML::Key << "system" << YAML::Value << site.system;
  y << YAML::Key << "domains" << YAML::Value << YAML::Flow << site.domains;
  y << YAML::Key << "settings" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "verify_origin_server" << YAML::Value
    << (site.settings.verify ? config::yaml_value(*site.settings.verify) : "unknown");
  y << YAML::Key << "preference" << YAML::Value;
  if (site.settings.preference) y << verify::label(*site.settings.preference);
  else y << YAML::Null;
  y << YAML::Key << "evidence" << YAML::Value << site.settings.evidence;
  y << YAML::EndMap;
  y << YAML::Key << "origins" << YAML::Value << YAML::BeginSeq;
  for (const auto& o : site.origins) {
    y << YAML::BeginMap;
    y << YAML::Key << "host" << YAML::Value << o.host << YAML::Key << "port" << YAML::Value << o.port;
    y << YAML::Key << "protocol" << YAML::Value << o.protocol << YAML::Key << "domain" << YAML::Value << o.domain;
    y << YAML::Key << "type" << YAML::Value << type_value(o.type);
    y << YAML::Key << "advertised_by_ip" << YAML::Value << o.host_is_ip;
    y << YAML::Key << "requests" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : o.requests) {
      y << YAML::Flow << YAML::BeginMap << YAML::Key << "method" << YAML::Value << r.method << YAML::Key << "path" << YAML::Value
        << r.path;
      if (!r.user.empty()) y << YAML::Key << "user" << YAML::Value << r.user;
      y << YAML::Key << "status" << YAML::Value << r.status << YAML::Key << "at_ms" << YAML::Value << r.at_ms << YAML::EndMap;
    }
    y << YAML::EndSeq;
    y << YAML::Key << "shown" << YAML::Value << o.shown;
    y << YAML::Key << "lines" << YAML::Value << o.lines;
    if (o.captured) {
      y << YAML::Key << "captured" << YAML::Value << YAML::BeginMap;
      y << YAML::Key << "preference" << YAML::Value << verify::label(o.captured->preference);
      y << YAML::Key << "version" << YAML::Value << o.captured->version;
      y << YAML::Key << "at_ms" << YAML::Value << o.captured->at_ms;
      y << YAML::Key << "chain" << YAML::Value << YAML::BeginSeq;
      for (const auto& c : o.captured->chain) emit_certificate(y, c);
      y << YAML::EndSeq << YAML::EndMap;
    }
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

std::expected<SiteModel, std::string> load_site(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected(path + ": cannot read it");
  Reader r{path};
  try {
    auto site = read_site(r, YAML::Load(in));
    return site;
  } catch (const YAML::ParserException& e) {
    return std::unexpected(path + ":" + std::to_string(e.mark.line + 1) + ": not YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    return std::unexpected(path + ":" + std::to_string(e.mark.line + 1) + ": not the shape of a site (" + e.msg +
                           "): a map where a map is expected, a list where a list is");
  } catch (const std::runtime_error& e) {
    return std::unexpected(e.what());
  }
}

}  // namespace mratls::replay
