// The origin named in an authority or a URL, as the lines write them. Pure.
#pragma once

#include <string>
#include <utility>

namespace mratls::scan {

// "cucm.steven.lab:6972" → host and port.
inline std::pair<std::string, int> split_host_port(const std::string& authority) {
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos || authority.find(']', colon) != std::string::npos) return {authority, 0};
  int port = 0;
  for (char c : authority.substr(colon + 1)) {
    if (c < '0' || c > '9') return {authority, 0};
    port = port * 10 + (c - '0');
    if (port > 65535) return {authority, 0};
  }
  auto host = authority.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, port};
}

// "https://cucm.steven.lab:8443/cucm-uds/…" → its host and port.
inline std::pair<std::string, int> url_origin(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  const auto authority = url.substr(scheme + 3, url.find('/', scheme + 3) - scheme - 3);
  return split_host_port(authority);
}

}  // namespace mratls::scan
