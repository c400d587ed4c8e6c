// The routing decision for one request head, as a pure function: the method check, the
// absolute-form host check, the MRA path, the path rules and the allow list. No I/O: the
// session writes the lines and answers what this decides.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "logs/line_format.hpp"
#include "proxy/allow_list.hpp"
#include "proxy/http_parser.hpp"
#include "proxy/http_write.hpp"
#include "mra/mra_path.hpp"

namespace mratls::proxy {

// An allowed request: where it goes, and what goes there.
struct Route {
  mra::MraTarget origin;
  std::string origin_path;  // origin-form target: path and query as the client sent them
  const AllowRule* rule = nullptr;
};

// A request answered by the proxy itself: the response, and the WARNING text that explains it
// (empty for a denial, which the access line explains).
struct Refusal {
  LocalResponse response;
  std::string warning;
};

struct RouteDecision {
  std::variant<Route, Refusal> outcome;
  // The Event="Request Allowed|Denied" line, written once the path decoded to an origin.
  std::optional<logs::AccessLine> access;

  const Route* route() const { return std::get_if<Route>(&outcome); }
  const Refusal* refusal() const { return std::get_if<Refusal>(&outcome); }
};

RouteDecision route_request(const HttpHead& head, std::string_view public_name, const AllowList& allow_list,
                            std::string_view client_ip);

// Why a path could reach elsewhere on the origin than the rule it matches, or nothing.
std::optional<std::string> unsafe_path(std::string_view path);

bool supported_method(std::string_view method);

}  // namespace mratls::proxy
