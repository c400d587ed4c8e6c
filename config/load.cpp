#include "config/load.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>

#include "config/ascii.hpp"
#include "config/port.hpp"

#include <filesystem>
#include <map>
#include <fstream>
#include <set>
#include <sstream>

namespace mratls::config {
namespace {

// The port of "scheme://host[:port]/path", when one is written, must be 1-65535.
std::optional<std::string> url_port_problem(std::string_view url) {
  url.remove_prefix(url.find("://") + 3);
  auto authority = url.substr(0, url.find('/'));
  if (authority.empty()) return "names no host";
  if (authority.find(']') != std::string_view::npos) authority.remove_prefix(authority.find(']') + 1);
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto port = authority.substr(colon + 1);
  if (!parse_port(port)) return "port '" + std::string(port) + "' is not in 1-65535";
  return std::nullopt;
}

// A value echoed in an error, cut: a pasted certificate or a hostile file stays readable.
std::string quote(std::string_view value) {
  constexpr std::size_t kShown = 80;
  if (value.size() <= kShown) return "'" + std::string(value) + "'";
  return "'" + std::string(value.substr(0, kShown)) + "...' (" + std::to_string(value.size()) + " characters)";
}

// Thrown only inside this file and turned into a ConfigError at the boundary: the YAML walk is
// deep, and yaml-cpp throws its own exceptions anyway.
struct Failure {
  ConfigError error;
};

class Reader {
 public:
  Reader(std::string file, std::string base_dir, std::map<std::string, std::string>& written_at)
      : file_(std::move(file)), base_dir_(std::move(base_dir)), written_at_(&written_at) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& message) const {
    int line = node.IsDefined() ? node.Mark().line + 1 : 0;
    throw Failure{ConfigError{file_, line, key, message}};
  }

  // yaml-cpp keeps both entries of a repeated key and lookups find the first: a second
  // `verify_origin_server: off` would be silently ignored. Refused, naming both lines.
  void unique_keys(const YAML::Node& map, const std::string& where, bool ignore_case = false) const {
    std::map<std::string, int> seen;
    for (const auto& kv : map) {
      auto key = kv.first.as<std::string>();
      if (ignore_case) key = ascii::to_lower(key);
      const int line = kv.first.Mark().line + 1;
      if (auto [it, fresh] = seen.emplace(key, line); !fresh)
        fail(kv.first, join(where, kv.first.as<std::string>()),
             "given twice, at lines " + std::to_string(it->second) + " and " + std::to_string(line) + ": keep one");
    }
  }

  void only_keys(const YAML::Node& map, const std::string& where, std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) fail(map, where, "expected a mapping");
    unique_keys(map, where);
    std::set<std::string> names(allowed.begin(), allowed.end());
    for (const auto& kv : map) {
      auto key = kv.first.as<std::string>();
      if (!names.contains(key)) {
        std::string list;
        for (const auto& n : allowed) list += (list.empty() ? "" : ", ") + std::string(n);
        fail(kv.first, join(where, key), "unknown key (expected one of: " + list + ")");
      }
    }
  }

  static std::string join(const std::string& where, const std::string& key) {
    return where.empty() ? key : where + "." + key;
  }

  std::string scalar(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "expected a single value");
    return node.as<std::string>();
  }

  long integer(const YAML::Node& node, const std::string& key, long min, long max) const {
    auto text = scalar(node, key);
    long value = 0;
    std::size_t used = 0;
    try {
      value = std::stol(text, &used);
    } catch (...) {
      used = 0;
    }
    if (used == 0 || used != text.size()) fail(node, key, quote(text) + " is not a whole number");
    if (value < min || value > max)
      fail(node, key, quote(text) + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
    return value;
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    auto text = scalar(node, key);
    for (auto t : {"true", "on", "yes", "True", "On", "Yes", "TRUE", "ON", "YES"})
      if (text == t) return true;
    for (auto f : {"false", "off", "no", "False", "Off", "No", "FALSE", "OFF", "NO"})
      if (text == f) return false;
    fail(node, key, quote(text) + " is not on/off (valid: on, off, true, false, yes, no)");
  }

  std::vector<std::string> strings(const YAML::Node& node, const std::string& key) const {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(node.as<std::string>());
      return out;
    }
    if (!node.IsSequence()) fail(node, key, "expected a list");
    for (const auto& item : node) out.push_back(scalar(item, key));
    return out;
  }

  std::string path(const YAML::Node& node, const std::string& key) const {
    std::filesystem::path p(scalar(node, key));
    if (p.is_relative()) p = std::filesystem::path(base_dir_) / p;
    auto resolved = p.lexically_normal().string();
    written_at_->emplace(resolved, file_ + ":" + std::to_string(node.Mark().line + 1) + ": " + key);
    return resolved;
  }

  void expressway(const YAML::Node& n, Expressway& e) const {
    only_keys(n, "expressway",
              {"version", "system_name", "verify_origin_server", "connect_attempts_max_retries",
               "openssl_security_level", "tls_max_version", "ciphers", "trusted_ca_certificates", "server_certificate",
               "server_private_key"});
    if (auto v = n["version"]) {
      auto text = scalar(v, "expressway.version");
      auto parsed = parse_version(text);
      if (!parsed) fail(v, "expressway.version", quote(text) + " is not a version such as X14.2.0");
      e.version = *parsed;
    }
    if (auto v = n["system_name"]) e.system_name = scalar(v, "expressway.system_name");
    if (auto v = n["verify_origin_server"]) {
      auto text = scalar(v, "expressway.verify_origin_server");
      const auto lower = ascii::to_lower(text);
      if (lower == "log-only") e.verify_origin_server = VerifyOriginServer::LogOnly;
      else if (lower == "on" || lower == "true" || lower == "yes") e.verify_origin_server = VerifyOriginServer::On;
      else if (lower == "off" || lower == "false" || lower == "no") e.verify_origin_server = VerifyOriginServer::Off;
      else fail(v, "expressway.verify_origin_server", quote(text) + " is not one of: on, off, log-only");
    }
    if (auto v = n["connect_attempts_max_retries"])
      e.connect_attempts_max_retries = static_cast<int>(integer(v, "expressway.connect_attempts_max_retries", 0, 10));
    if (auto v = n["openssl_security_level"])
      e.openssl_security_level = static_cast<int>(integer(v, "expressway.openssl_security_level", 0, 5));
    if (auto v = n["tls_max_version"]) {
      auto text = scalar(v, "expressway.tls_max_version");
      if (text != "TLSv1.2" && text != "TLSv1.3")
        fail(v, "expressway.tls_max_version", quote(text) + " is not TLSv1.2 or TLSv1.3");
      e.tls_max_version = text;
    }
    if (auto v = n["ciphers"]) {
      e.ciphers = scalar(v, "expressway.ciphers");
      if (e.ciphers.empty()) fail(v, "expressway.ciphers", "must not be empty");
    }
    if (auto v = n["trusted_ca_certificates"]) {
      const std::string key = "expressway.trusted_ca_certificates";
      if (!v.IsSequence()) fail(v, key, "expected a list of PEM files");
      for (const auto& item : v) {
        if (auto text = scalar(item, key); is_inline_pem(text)) {
          written_at_->emplace(inline_pem_name(e.trusted_ca_certificates.size() + 1),
                               file_ + ":" + std::to_string(item.Mark().line + 1) + ": " + key);
          e.trusted_ca_certificates.push_back(std::move(text));
        } else {
          e.trusted_ca_certificates.push_back(path(item, key));
        }
      }
    }
    if (auto v = n["server_certificate"]) e.server_certificate = path(v, "expressway.server_certificate");
    if (auto v = n["server_private_key"]) e.server_private_key = path(v, "expressway.server_private_key");
    if (e.server_certificate.empty() != e.server_private_key.empty())
      fail(n[e.server_certificate.empty() ? "server_private_key" : "server_certificate"],
           e.server_certificate.empty() ? "expressway.server_private_key" : "expressway.server_certificate",
           "server_certificate and server_private_key go together");
  }

  void listen(const YAML::Node& n, Listen& l) const {
    only_keys(n, "listen", {"address", "port", "public_name"});
    if (auto v = n["address"]) l.address = scalar(v, "listen.address");
    if (auto v = n["port"]) l.port = static_cast<std::uint16_t>(integer(v, "listen.port", 0, 65535));
    if (auto v = n["public_name"]) l.public_name = scalar(v, "listen.public_name");
  }

  void servers(const YAML::Node& n, const std::string& key, ServerType type, std::vector<OriginServer>& out) const {
    if (!n.IsSequence()) fail(n, key, "expected a list of servers");
    for (const auto& item : n) {
      OriginServer s;
      s.type = type;
      if (item.IsScalar()) {
        s.address = item.as<std::string>();
      } else {
        only_keys(item, key, {"address", "tls_verify_mode", "nodes"});
        if (!item["address"]) fail(item, key + ".address", "every server needs an address");
        s.address = scalar(item["address"], key + ".address");
        if (auto v = item["tls_verify_mode"]) s.tls_verify_mode = boolean(v, key + ".tls_verify_mode");
        if (auto v = item["nodes"]) s.nodes = strings(v, key + ".nodes");
      }
      if (s.address.empty()) fail(item, key + ".address", "must not be empty");
      if (s.nodes.empty()) s.nodes.push_back(s.address);
      out.push_back(std::move(s));
    }
  }

  void allow_list(const YAML::Node& n, std::vector<ManualRule>& out) const {
    if (!n.IsSequence()) fail(n, "allow_list", "expected a list of rules");
    for (const auto& item : n) {
      only_keys(item, "allow_list", {"url", "match", "methods"});
      ManualRule r;
      if (!item["url"]) fail(item, "allow_list.url", "every rule needs a url");
      r.url = scalar(item["url"], "allow_list.url");
      if (!r.url.starts_with("https://") && !r.url.starts_with("http://"))
        fail(item["url"], "allow_list.url", quote(r.url) + " must start with https:// or http://");
      if (auto why = url_port_problem(r.url)) fail(item["url"], "allow_list.url", quote(r.url) + ": " + *why);
      if (auto v = item["match"]) {
        auto text = scalar(v, "allow_list.match");
        if (text == "prefix") r.match = MatchType::Prefix;
        else if (text == "exact") r.match = MatchType::Exact;
        else fail(v, "allow_list.match", quote(text) + " is not prefix or exact");
      }
      if (auto v = item["methods"]) {
        r.methods = strings(v, "allow_list.methods");
        for (const auto& m : r.methods)
          if (m != "GET" && m != "POST" && m != "PUT" && m != "DELETE" && m != "HEAD")
            fail(v, "allow_list.methods", quote(m) + " is not GET, POST, PUT, DELETE or HEAD");
      }
      out.push_back(std::move(r));
    }
  }

  void top(const YAML::Node& root, Config& c) const {
    if (root.IsNull()) return;
    only_keys(root, "",
              {"expressway", "listen", "unified_cm_servers", "im_and_presence_nodes", "unity_connection_servers",
               "allow_list", "hosts", "origin", "timeouts", "limits", "threads", "log", "admin"});
    if (auto n = root["expressway"]) expressway(n, c.expressway);
    if (auto n = root["listen"]) listen(n, c.listen);
    if (auto n = root["unified_cm_servers"]) servers(n, "unified_cm_servers", ServerType::UnifiedCm, c.servers);
    if (auto n = root["im_and_presence_nodes"])
      servers(n, "im_and_presence_nodes", ServerType::ImAndPresence, c.servers);
    if (auto n = root["unity_connection_servers"])
      servers(n, "unity_connection_servers", ServerType::UnityConnection, c.servers);
    if (auto n = root["allow_list"]) allow_list(n, c.allow_list);
    if (auto n = root["hosts"]) {
      if (!n.IsMap()) fail(n, "hosts", "expected a mapping of name: address");
      unique_keys(n, "hosts", true);
      // Host names compare case-insensitively: the map is kept in lower case, as lookups are made.
      for (const auto& kv : n) {
        c.hosts[ascii::to_lower(kv.first.as<std::string>())] = scalar(kv.second, "hosts." + kv.first.as<std::string>());
      }
    }
    if (auto n = root["origin"]) {
      only_keys(n, "origin", {"keep_alive", "max_idle_per_origin", "tls_session_reuse"});
      if (auto v = n["keep_alive"]) c.origin.keep_alive = boolean(v, "origin.keep_alive");
      if (auto v = n["max_idle_per_origin"])
        c.origin.max_idle_per_origin = static_cast<int>(integer(v, "origin.max_idle_per_origin", 0, 100000));
      if (auto v = n["tls_session_reuse"]) c.origin.tls_session_reuse = boolean(v, "origin.tls_session_reuse");
    }
    if (auto n = root["timeouts"]) {
      only_keys(n, "timeouts", {"connect_ms", "handshake_ms", "client_header_ms", "origin_response_ms", "idle_ms", "transaction_ms"});
      auto ms = [&](const char* key, int& field) {
        if (auto v = n[key]) field = static_cast<int>(integer(v, std::string("timeouts.") + key, 1, 3600000));
      };
      ms("connect_ms", c.timeouts.connect_ms);
      ms("handshake_ms", c.timeouts.handshake_ms);
      ms("client_header_ms", c.timeouts.client_header_ms);
      ms("origin_response_ms", c.timeouts.origin_response_ms);
      ms("idle_ms", c.timeouts.idle_ms);
      ms("transaction_ms", c.timeouts.transaction_ms);
    }
    if (auto n = root["limits"]) {
      only_keys(n, "limits", {"max_header_bytes", "max_connections"});
      if (auto v = n["max_header_bytes"])
        c.limits.max_header_bytes = static_cast<std::size_t>(integer(v, "limits.max_header_bytes", 1024, 1 << 24));
      if (auto v = n["max_connections"])
        c.limits.max_connections = static_cast<int>(integer(v, "limits.max_connections", 1, 1000000));
    }
    if (auto n = root["admin"]) {
      only_keys(n, "admin", {"address", "port", "token_file"});
      if (auto v = n["address"]) c.admin.address = scalar(v, "admin.address");
      if (auto v = n["port"]) c.admin.port = static_cast<int>(integer(v, "admin.port", 0, 65535));
      if (auto v = n["token_file"]) c.admin.token_file = path(v, "admin.token_file");
      if (!is_loopback_address(c.admin.address) && c.admin.token_file.empty())
        fail(n["address"], "admin.address", quote(c.admin.address) + " is not loopback: admin.token_file is required");
    }
    if (auto v = root["threads"]) c.threads = static_cast<int>(integer(v, "threads", 0, 256));
    if (auto n = root["log"]) {
      only_keys(n, "log", {"file", "level", "openssl_text", "keylog_file"});
      if (auto v = n["file"]) c.log.file = scalar(v, "log.file") == "-" ? "-" : path(v, "log.file");
      if (auto v = n["level"]) {
        auto text = scalar(v, "log.level");
        if (text == "info") c.log.level = LogLevel::Info;
        else if (text == "debug") c.log.level = LogLevel::Debug;
        else fail(v, "log.level", quote(text) + " is not info or debug");
      }
      if (auto v = n["openssl_text"]) {
        auto text = scalar(v, "log.openssl_text");
        if (text == "expressway") c.log.openssl_text = OpenSslText::Expressway;
        else if (text == "native") c.log.openssl_text = OpenSslText::Native;
        else fail(v, "log.openssl_text", quote(text) + " is not expressway or native");
      }
      if (auto v = n["keylog_file"]) c.log.keylog_file = path(v, "log.keylog_file");
    }
  }

 private:
  std::string file_;
  std::string base_dir_;
  std::map<std::string, std::string>* written_at_;
};

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

std::expected<Config, ConfigError> load_config_text(const std::string& text, const std::string& name,
                                                    const std::string& base_dir) {
  Config config;
  config.source = name;
  try {
    YAML::Node root = YAML::Load(text);
    Reader(name, base_dir, config.written_at).top(root, config);
  } catch (const Failure& f) {
    return std::unexpected(f.error);
  } catch (const YAML::Exception& e) {
    return std::unexpected(ConfigError{name, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg});
  }
  return config;
}

std::string located(const Config& config, const std::string& error) {
  for (const auto& [path, where] : config.written_at)
    if (error.starts_with(path + ":")) return where + ": " + error;
  return error;
}

std::expected<Config, ConfigError> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(ConfigError{path, 0, "", "cannot open the file"});
  std::ostringstream text;
  text << in.rdbuf();
  auto dir = std::filesystem::absolute(path).parent_path().string();
  return load_config_text(text.str(), path, dir);
}

const char* to_string(VerifyOriginServer v) {
  switch (v) {
    case VerifyOriginServer::On: return "On";
    case VerifyOriginServer::Off: return "Off";
    case VerifyOriginServer::LogOnly: return "log-only";
  }
  return "?";
}

const char* yaml_value(VerifyOriginServer v) {
  switch (v) {
    case VerifyOriginServer::On: return "on";
    case VerifyOriginServer::Off: return "off";
    case VerifyOriginServer::LogOnly: return "log-only";
  }
  return "on";
}

const char* to_string(ServerType t) {
  switch (t) {
    case ServerType::UnifiedCm: return "CUCM";
    case ServerType::ImAndPresence: return "IM&P";
    case ServerType::UnityConnection: return "Unity Connection";
  }
  return "?";
}

}  // namespace mratls::config

namespace mratls::config {

bool is_inline_pem(std::string_view entry) { return entry.starts_with("-----BEGIN "); }

std::string inline_pem_name(std::size_t n) { return "inline certificate entry " + std::to_string(n); }

bool is_loopback_address(std::string_view address) {
  if (ascii::iequals(address, "localhost") || address == "::1" || address == "[::1]") return true;
  // 127.0.0.0/8, written as four decimal octets.
  if (!address.starts_with("127.")) return false;
  int dots = 0, digits = 0;
  for (char c : address.substr(4)) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9' && ++digits <= 3) {
    } else {
      return false;
    }
  }
  return dots == 2 && digits > 0;
}

}  // namespace mratls::config
