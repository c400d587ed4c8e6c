#include "proxy/route.hpp"
#include "config/ascii.hpp"

namespace mratls::proxy {
namespace {

// A dot-segment as the origin's servlet container reads it: Tomcat drops a path parameter
// (";jsessionid=…", ";x=1", or an empty one) before it resolves "." and "..".
bool is_dot_segment(std::string_view segment) {
  const auto name = segment.substr(0, segment.find(';'));
  return name == "." || name == "..";
}

}  // namespace

std::optional<std::string> unsafe_path(std::string_view path) {
  auto p = path.substr(0, path.find('?'));
  if (p.find('\\') != std::string_view::npos) return "backslash in path";
  if (ascii::icontains(p, "%2e") || ascii::icontains(p, "%2f") || ascii::icontains(p, "%5c"))
    return "encoded dot or slash in path";
  std::size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find('/', start);
    auto seg = p.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (is_dot_segment(seg)) return "dot-segment in path";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return std::nullopt;
}

bool supported_method(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
}

RouteDecision route_request(const HttpHead& head, std::string_view public_name, const AllowList& allow_list,
                            std::string_view client_ip) {
  auto refuse = [](LocalResponse r, std::string why) { return RouteDecision{Refusal{std::move(r), std::move(why)}, {}}; };

  if (!supported_method(head.method))
    return refuse(not_implemented("Method " + head.method + " is not supported."),
                  "Unsupported method " + head.method + " from " + std::string(client_ip));

  std::string_view target(head.target);
  if (target.starts_with("http://") || target.starts_with("https://")) {
    auto authority = target.substr(target.find("://") + 3);
    auto slash = authority.find('/');
    auto host = authority.substr(0, slash);
    if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
      host = host.substr(0, colon);
    if (!ascii::iequals(host, public_name))
      return refuse(bad_request("The request names another host."), "Absolute-form request for host '" + std::string(host) +
                                                                       "', not this Expressway (" + std::string(public_name) + ")");
    target = slash == std::string_view::npos ? std::string_view("/") : authority.substr(slash);
  }
  auto split = mra::split_path(target);
  if (!split) return refuse(bad_request(split.error().reason + "."), "Invalid MRA path: " + split.error().reason);
  auto segment = mra::decode_segment(split->segment);
  if (!segment) return refuse(bad_request(segment.error().reason + "."), "Invalid MRA path: " + segment.error().reason);
  if (segment->kind == mra::MraSegment::Kind::EdgeConfig)
    return refuse(not_found("Edge configuration for " + segment->domain + " is served by Expressway itself."),
                  "Edge configuration request for domain " + segment->domain + " is not emulated");
  if (auto why = unsafe_path(split->rest))
    return refuse(bad_request("Refused path: " + *why + "."), "Refused path for " + segment->target.host + ": " + *why);

  Route route{std::move(segment->target), std::string(split->rest), nullptr};
  if (route.origin_path.empty() || route.origin_path.front() == '?') route.origin_path.insert(0, "/");
  const mra::MraTarget& origin = route.origin;
  const std::string_view path_only = std::string_view(route.origin_path).substr(0, route.origin_path.find('?'));
  const std::string_view method_for_rules = head.method == "HEAD" ? std::string_view("GET") : std::string_view(head.method);

  logs::AccessLine access;
  access.username = username_from_path(path_only);
  access.method = head.method;
  access.request_url = origin.origin_url(route.origin_path);
  route.rule = allow_list.match(method_for_rules, origin.protocol, origin.host, origin.port, path_only);
  access.allowed = route.rule != nullptr;
  if (!route.rule) return RouteDecision{Refusal{forbidden(), ""}, access};
  access.rule_url = allow_list.url_of(*route.rule);
  access.match = route.rule->match == config::MatchType::Prefix ? "prefix" : "exact";
  access.type = route.rule->type;
  return RouteDecision{std::move(route), std::move(access)};
}

}  // namespace mratls::proxy
