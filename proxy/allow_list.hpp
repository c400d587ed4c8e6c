// The allow list: rules generated from the configured servers plus manual rules.
// A request that matches no rule is denied: the emulator is never an open proxy.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace mratls::proxy {

struct AllowRule {
  std::string scheme;  // "https" | "http"
  std::string host;
  std::uint16_t port = 0;
  std::string path;
  config::MatchType match = config::MatchType::Prefix;
  std::vector<std::string> methods;
  std::string type;  // as logged in Type="..."

  std::string url() const;
};

// One row of the table of automatic rules: what a server of a type opens.
struct AutomaticRule {
  config::ServerType server_type;
  const char* scheme;
  std::uint16_t port;
  const char* path;
  config::MatchType match;
  std::vector<std::string> methods;
  const char* type;
};

// The table itself, in one place so that it is easy to correct.
const std::vector<AutomaticRule>& automatic_rules();

class AllowList {
 public:
  // Errors name the rule at fault (a manual URL with a bad port, say).
  static std::expected<AllowList, std::string> from_config(const config::Config& config);
  explicit AllowList(std::vector<AllowRule> rules);

  // The most specific rule (longest path) that allows the request, or nullptr.
  const AllowRule* match(std::string_view method, std::string_view scheme, std::string_view host, std::uint16_t port,
                         std::string_view path) const;

  const std::vector<AllowRule>& rules() const { return rules_; }
  // The rule's URL as the access line shows it, built once with the list.
  std::string_view url_of(const AllowRule& rule) const { return urls_[static_cast<std::size_t>(&rule - rules_.data())]; }

 private:
  std::vector<AllowRule> rules_;
  std::vector<std::string> urls_;  // urls_[i] is rules_[i].url()
};

// "emusk" from ".../user/emusk/devices"; empty when the path names no user.
std::string username_from_path(std::string_view path);

}  // namespace mratls::proxy
