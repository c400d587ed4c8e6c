// The MRA path segment: base64 of "<domain>/<protocol>/<host>/<port>", unpadded (docs/architecture.md).
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace mratls::mra {

struct MraTarget {
  std::string domain;
  std::string protocol;  // "https" | "http"
  std::string host;      // DNS name or IP literal (IPv6 without brackets)
  std::uint16_t port = 0;
  bool host_is_ip = false;
  bool operator==(const MraTarget&) const = default;

  std::string origin_url(std::string_view path) const;  // "https://host:port/path"
};

// What a decoded first segment turned out to be.
struct MraSegment {
  enum class Kind { Origin, EdgeConfig };
  Kind kind = Kind::Origin;
  MraTarget target;    // Origin
  std::string domain;  // EdgeConfig: the segment names only the domain
};

struct MraPathError {
  std::string reason;  // names what was wrong, for the 400 and its log line
};

std::expected<MraSegment, MraPathError> decode_segment(std::string_view segment);
std::string encode_segment(const MraTarget& target);
// "steven.lab/https/cucm.steven.lab/8443" → its segment, validated as decode_segment would.
std::expected<std::string, MraPathError> encode_text(std::string_view domain_protocol_host_port);

// A request path split into its MRA segment and what follows it (path and query, verbatim).
struct SplitPath {
  std::string_view segment;
  std::string_view rest;  // "/cucm-uds/user/x?y", or "" when nothing follows
};
std::expected<SplitPath, MraPathError> split_path(std::string_view origin_form_target);

bool is_ip_literal(std::string_view host);
bool is_dns_name(std::string_view host);

// "host:port" as a URL, a Host header and a log line write it: an IPv6 address in brackets
// ("[2001:db8::5]:8443"); a host already bracketed is left as it is.
std::string host_port(std::string_view host, std::uint16_t port);
// The host alone, bracketed when it is an IPv6 address.
std::string url_host(std::string_view host);

}  // namespace mratls::mra
