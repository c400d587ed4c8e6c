#include "proxy/allow_list.hpp"
#include "config/ascii.hpp"
#include "config/mra_ports.hpp"
#include "config/port.hpp"

#include <algorithm>
#include <cctype>

namespace mratls::proxy {
namespace {

using config::MatchType;
using config::ServerType;

// "https://host:port/path" → rule. The loader checks the URL of a file's rules, but rules can
// also come from code (the lab, tests): a bad one is an error here, never an exception.
std::expected<AllowRule, std::string> parse_manual(const config::ManualRule& m) {
  AllowRule r;
  std::string_view url(m.url);
  auto colon = url.find("://");
  if (colon == std::string_view::npos || (url.substr(0, colon) != "https" && url.substr(0, colon) != "http"))
    return std::unexpected("allow_list url '" + m.url + "' must start with https:// or http://");
  r.scheme = std::string(url.substr(0, colon));
  url.remove_prefix(colon + 3);
  auto slash = url.find('/');
  auto authority = url.substr(0, slash);
  r.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  r.port = r.scheme == "https" ? 443 : 80;
  auto port_colon = authority.rfind(':');
  if (port_colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    auto port = config::parse_port(authority.substr(port_colon + 1));
    if (!port) return std::unexpected("allow_list url '" + m.url + "': port '" + std::string(authority.substr(port_colon + 1)) +
                                      "' is not in 1-65535");
    r.port = *port;
    authority = authority.substr(0, port_colon);
  }
  if (authority.empty()) return std::unexpected("allow_list url '" + m.url + "' names no host");
  r.host = std::string(authority);
  r.match = m.match;
  r.methods = m.methods;
  r.type = "Manually configured rule";
  return r;
}

}  // namespace

std::string AllowRule::url() const { return scheme + "://" + host + ":" + std::to_string(port) + path; }

const std::vector<AutomaticRule>& automatic_rules() {
  static const std::vector<AutomaticRule> table = {
      {ServerType::UnifiedCm, "https", config::kUdsPort, "/cucm-uds/user/", MatchType::Prefix, {"GET"},
       "Automatically generated rule for CUCM server"},
      {ServerType::UnifiedCm, "https", config::kUdsPort, "/cucm-uds/", MatchType::Prefix, {"GET"},
       "Automatically generated rule for CUCM server"},
      {ServerType::UnifiedCm, "http", config::kTftpHttpPort, "/", MatchType::Prefix, {"GET"},
       "Automatically generated rule for CUCM TFTP server"},
      {ServerType::UnifiedCm, "https", config::kTftpHttpsPort, "/", MatchType::Prefix, {"GET"},
       "Automatically generated rule for CUCM TFTP server"},
      {ServerType::ImAndPresence, "https", config::kUdsPort, "/cup/", MatchType::Prefix, {"GET", "POST"},
       "Automatically generated rule for IM&P server"},
      {ServerType::ImAndPresence, "https", config::kUdsPort, "/EPASSoap/", MatchType::Prefix, {"GET", "POST"},
       "Automatically generated rule for IM&P server"},
      {ServerType::UnityConnection, "https", config::kUnityPort, "/vmrest/", MatchType::Prefix, {"GET", "POST", "PUT", "DELETE"},
       "Automatically generated rule for Unity Connection server"},
  };
  return table;
}

AllowList::AllowList(std::vector<AllowRule> rules) : rules_(std::move(rules)) {
  urls_.reserve(rules_.size());
  for (const auto& r : rules_) urls_.push_back(r.url());
}

std::expected<AllowList, std::string> AllowList::from_config(const config::Config& config) {
  std::vector<AllowRule> rules;
  for (const auto& server : config.servers) {
    std::vector<std::string> hosts = server.nodes;
    if (std::find(hosts.begin(), hosts.end(), server.address) == hosts.end()) hosts.insert(hosts.begin(), server.address);
    for (const auto& host : hosts)
      for (const auto& a : automatic_rules())
        if (a.server_type == server.type)
          rules.push_back({a.scheme, host, a.port, a.path, a.match, a.methods, a.type});
  }
  for (const auto& m : config.allow_list) {
    auto rule = parse_manual(m);
    if (!rule) return std::unexpected(rule.error());
    rules.push_back(std::move(*rule));
  }
  return AllowList(std::move(rules));
}

const AllowRule* AllowList::match(std::string_view method, std::string_view scheme, std::string_view host,
                                  std::uint16_t port, std::string_view path) const {
  const AllowRule* best = nullptr;
  for (const auto& r : rules_) {
    if (r.port != port || r.scheme != scheme || !ascii::iequals(r.host, host)) continue;
    if (std::find(r.methods.begin(), r.methods.end(), method) == r.methods.end()) continue;
    bool hit = r.match == config::MatchType::Exact ? path == r.path : path.starts_with(r.path);
    if (hit && (!best || r.path.size() > best->path.size())) best = &r;
  }
  return best;
}

std::string username_from_path(std::string_view path) {
  path = path.substr(0, path.find('?'));
  auto at = path.find("/user/");
  if (at == std::string_view::npos) return {};
  auto user = path.substr(at + 6);
  return std::string(user.substr(0, user.find('/')));
}

}  // namespace mratls::proxy
