#include "config/save.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace mratls::config {
namespace {

void servers(YAML::Emitter& out, const Config& c, ServerType type, const char* key) {
  bool any = false;
  for (const auto& s : c.servers) {
    if (s.type != type) continue;
    if (!any) out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
    any = true;
    out << YAML::BeginMap << YAML::Key << "address" << YAML::Value << s.address << YAML::Key << "tls_verify_mode"
        << YAML::Value << (s.tls_verify_mode ? "on" : "off") << YAML::Key << "nodes" << YAML::Value << YAML::Flow << s.nodes
        << YAML::EndMap;
  }
  if (any) out << YAML::EndSeq;
}

}  // namespace

std::string to_yaml(const Config& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "expressway" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << c.expressway.version.to_string();
  out << YAML::Key << "system_name" << YAML::Value << c.expressway.system_name;
  out << YAML::Key << "verify_origin_server" << YAML::Value << yaml_value(c.expressway.verify_origin_server);
  out << YAML::Key << "connect_attempts_max_retries" << YAML::Value << c.expressway.connect_attempts_max_retries;
  out << YAML::Key << "openssl_security_level" << YAML::Value << c.expressway.openssl_security_level;
  out << YAML::Key << "tls_max_version" << YAML::Value << c.expressway.tls_max_version;
  out << YAML::Key << "ciphers" << YAML::Value << YAML::DoubleQuoted << c.expressway.ciphers;
  const auto& trust = c.expressway.trusted_ca_certificates;
  out << YAML::Key << "trusted_ca_certificates" << YAML::Value;
  if (std::ranges::none_of(trust, is_inline_pem)) {
    out << YAML::Flow << trust;
  } else {
    out << YAML::BeginSeq;
    for (const auto& entry : trust) {
      if (is_inline_pem(entry)) out << YAML::Literal;
      out << entry;
    }
    out << YAML::EndSeq;
  }
  if (!c.expressway.server_certificate.empty()) {
    out << YAML::Key << "server_certificate" << YAML::Value << c.expressway.server_certificate;
    out << YAML::Key << "server_private_key" << YAML::Value << c.expressway.server_private_key;
  }
  out << YAML::EndMap;
  out << YAML::Key << "listen" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "address" << YAML::Value
      << c.listen.address << YAML::Key << "port" << YAML::Value << c.listen.port << YAML::Key << "public_name"
      << YAML::Value << c.listen.public_name << YAML::EndMap;
  servers(out, c, ServerType::UnifiedCm, "unified_cm_servers");
  servers(out, c, ServerType::ImAndPresence, "im_and_presence_nodes");
  servers(out, c, ServerType::UnityConnection, "unity_connection_servers");
  if (!c.allow_list.empty()) {
    out << YAML::Key << "allow_list" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : c.allow_list)
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "url" << YAML::Value << r.url << YAML::Key << "match" << YAML::Value
          << (r.match == MatchType::Prefix ? "prefix" : "exact") << YAML::Key << "methods" << YAML::Value << YAML::Flow
          << r.methods << YAML::EndMap;
    out << YAML::EndSeq;
  }
  out << YAML::Key << "hosts" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, address] : c.hosts) out << YAML::Key << name << YAML::Value << address;
  out << YAML::EndMap;
  out << YAML::Key << "origin" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "keep_alive" << YAML::Value
      << c.origin.keep_alive << YAML::Key << "max_idle_per_origin" << YAML::Value << c.origin.max_idle_per_origin << YAML::Key
      << "tls_session_reuse" << YAML::Value << c.origin.tls_session_reuse << YAML::EndMap;
  const auto& t = c.timeouts;
  out << YAML::Key << "timeouts" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [key, value] : {std::pair{"connect_ms", t.connect_ms}, {"handshake_ms", t.handshake_ms},
                                   {"client_header_ms", t.client_header_ms}, {"origin_response_ms", t.origin_response_ms},
                                   {"idle_ms", t.idle_ms}, {"transaction_ms", t.transaction_ms}})
    out << YAML::Key << key << YAML::Value << value;
  out << YAML::EndMap;
  out << YAML::Key << "limits" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "max_header_bytes" << YAML::Value
      << c.limits.max_header_bytes << YAML::Key << "max_connections" << YAML::Value << c.limits.max_connections << YAML::EndMap;
  out << YAML::Key << "threads" << YAML::Value << c.threads;
  out << YAML::Key << "log" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "file" << YAML::Value << c.log.file
      << YAML::Key << "level" << YAML::Value << (c.log.level == LogLevel::Debug ? "debug" : "info") << YAML::Key
      << "openssl_text" << YAML::Value << (c.log.openssl_text == OpenSslText::Native ? "native" : "expressway");
  if (!c.log.keylog_file.empty()) out << YAML::Key << "keylog_file" << YAML::Value << c.log.keylog_file;
  out << YAML::EndMap;
  if (c.admin.port >= 0) {
    out << YAML::Key << "admin" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "address" << YAML::Value
        << c.admin.address << YAML::Key << "port" << YAML::Value << c.admin.port;
    if (!c.admin.token_file.empty()) out << YAML::Key << "token_file" << YAML::Value << c.admin.token_file;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace mratls::config
