#include "mra/mra_path.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "mra/base64.hpp"

namespace mratls::mra {
namespace {

// An input echoed in an error: escaped, and cut so that a hostile or pasted 5,000-byte input
// does not become a 10 KB message.
std::string printable(std::string_view s) {
  constexpr std::size_t kShown = 60;
  std::string out;
  for (unsigned char c : s.substr(0, kShown)) {
    if (c >= 0x20 && c < 0x7f) out.push_back(static_cast<char>(c));
    else out += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
  }
  if (s.size() > kShown) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  std::string s(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_dns_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  char prev = '.';
  for (char c : host) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    prev = c;
  }
  return prev != '-';
}

std::string url_host(std::string_view host) {
  if (host.find(':') == std::string_view::npos || host.starts_with('[')) return std::string(host);
  std::string out;
  out.reserve(host.size() + 2);
  out.append("[").append(host).append("]");
  return out;
}

std::string host_port(std::string_view host, std::uint16_t port) { return url_host(host) + ":" + std::to_string(port); }

std::string MraTarget::origin_url(std::string_view path) const {
  return protocol + "://" + host_port(host, port) + std::string(path.empty() ? "/" : path);
}

std::expected<MraSegment, MraPathError> decode_segment(std::string_view segment) {
  if (segment.empty()) return std::unexpected(MraPathError{"empty MRA path segment"});
  auto decoded = base64_decode(segment);
  if (!decoded) return std::unexpected(MraPathError{"MRA path segment '" + printable(segment) + "' is not base64"});
  const std::string& text = *decoded;
  if (!std::all_of(text.begin(), text.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; }))
    return std::unexpected(MraPathError{"MRA path segment decodes to non-printable bytes '" + printable(text) + "'"});

  std::vector<std::string_view> fields;
  std::string_view rest(text);
  for (auto slash = rest.find('/'); slash != std::string_view::npos; slash = rest.find('/')) {
    fields.push_back(rest.substr(0, slash));
    rest.remove_prefix(slash + 1);
  }
  fields.push_back(rest);

  if (fields.size() == 1) {
    if (!is_dns_name(fields[0])) return std::unexpected(MraPathError{"edge-config domain '" + printable(text) + "' is not a DNS name"});
    return MraSegment{MraSegment::Kind::EdgeConfig, {}, text};
  }
  if (fields.size() != 4)
    return std::unexpected(MraPathError{"MRA path segment decodes to '" + printable(text) + "': expected domain/protocol/host/port, got " +
                                        std::to_string(fields.size()) + " fields"});
  MraTarget t;
  t.domain = fields[0];
  t.protocol = fields[1];
  t.host = fields[2];
  if (!is_dns_name(t.domain)) return std::unexpected(MraPathError{"MRA domain '" + printable(t.domain) + "' is not a DNS name"});
  if (t.protocol != "https" && t.protocol != "http")
    return std::unexpected(MraPathError{"MRA protocol '" + printable(t.protocol) + "' is not https or http"});
  if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
  t.host_is_ip = is_ip_literal(t.host);
  if (!t.host_is_ip && !is_dns_name(t.host))
    return std::unexpected(MraPathError{"MRA host '" + printable(t.host) + "' is neither a DNS name nor an IP address"});
  auto port_text = fields[3];
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || value < 1 || value > 65535)
    return std::unexpected(MraPathError{"MRA port '" + printable(std::string(port_text)) + "' is not in 1-65535"});
  t.port = static_cast<std::uint16_t>(value);
  return MraSegment{MraSegment::Kind::Origin, std::move(t), {}};
}

std::string encode_segment(const MraTarget& t) {
  return base64_encode_unpadded(t.domain + "/" + t.protocol + "/" + t.host + "/" + std::to_string(t.port));
}

std::expected<std::string, MraPathError> encode_text(std::string_view text) {
  auto segment = base64_encode_unpadded(text);
  auto check = decode_segment(segment);
  if (!check) return std::unexpected(check.error());
  if (check->kind != MraSegment::Kind::Origin)
    return std::unexpected(MraPathError{"'" + printable(std::string(text)) + "' is not domain/protocol/host/port"});
  return segment;
}

std::expected<SplitPath, MraPathError> split_path(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::unexpected(MraPathError{"request target does not start with '/'"});
  target.remove_prefix(1);
  auto end = target.find_first_of("/?");
  if (end == std::string_view::npos) return SplitPath{target, {}};
  return SplitPath{target.substr(0, end), target.substr(end)};
}

}  // namespace mratls::mra
