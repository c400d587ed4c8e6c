#include "check/nodes.hpp"

#include <charconv>

#include "config/mra_ports.hpp"
#include "mra/mra_path.hpp"

namespace mratls::check {

std::vector<std::uint16_t> default_ports(config::ServerType type) { return config::mra_ports(type, true); }

std::expected<std::vector<std::uint16_t>, std::string> parse_ports(std::string_view text) {
  std::vector<std::uint16_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty() && comma == std::string_view::npos) break;  // "8443," as "8443"
    unsigned value = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || item.size() > 5 || ec != std::errc{} || end != item.data() + item.size() || value < 1 ||
        value > 65535)
      return std::unexpected("port '" + std::string(item) + "' is not in 1-65535");
    out.push_back(static_cast<std::uint16_t>(value));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (out.empty()) return std::unexpected("no port given");
  return out;
}

std::expected<NodeSpec, std::string> parse_node_spec(std::string_view spec) {
  NodeSpec out{std::string(spec), std::nullopt};
  auto colon = spec.rfind(':');
  if (colon != std::string_view::npos && spec.find(':') == colon) {
    out.host = std::string(spec.substr(0, colon));
    auto ports = parse_ports(spec.substr(colon + 1));
    if (!ports) return std::unexpected(ports.error());
    out.ports = std::move(*ports);
  }
  if (!mra::is_ip_literal(out.host) && !mra::is_dns_name(out.host))
    return std::unexpected("'" + out.host + "' is neither a DNS name nor an IP address");
  return out;
}

void NodeList::add(config::ServerType type, const std::string& address, const std::string& source,
                   std::vector<std::uint16_t> ports) {
  if (!seen_.insert({address, static_cast<int>(type)}).second) return;
  nodes_.push_back({type, address, source, port_override_ ? *port_override_ : std::move(ports)});
}

void add_configured(NodeList& list, const config::Config& config) {
  for (const auto& s : config.servers)
    for (const auto& n : s.nodes) list.add(s.type, n, n == s.address ? "configured" : "advertised", default_ports(s.type));
}

std::vector<std::string> advertised_servers(std::string_view xml) {
  constexpr std::string_view kOpen = "<server>";
  constexpr std::string_view kClose = "</server>";
  std::vector<std::string> out;
  for (auto at = xml.find(kOpen); at != std::string_view::npos; at = xml.find(kOpen, at)) {
    at += kOpen.size();
    auto end = xml.find_first_of("<", at);
    if (end == std::string_view::npos) break;
    if (end > at && xml.substr(end, kClose.size()) == kClose) out.emplace_back(xml.substr(at, end - at));
  }
  return out;
}

}  // namespace mratls::check
