#include "lab/loopback.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace mratls::lab {
namespace {

std::expected<std::uint8_t, std::string> octet(std::string_view part, std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
  if (part.empty() || ec != std::errc{} || end != part.data() + part.size() || value > 255 || (part.size() > 1 && part[0] == '0'))
    return std::unexpected("'" + std::string(part) + "' in '" + std::string(text) + "' is not an octet (0-255)");
  return static_cast<std::uint8_t>(value);
}

// A listener's bind as the mock origins make it (SO_REUSEADDR, so a closed lab's TIME_WAIT
// connections do not count); closed at once.
// 0, or the errno of the failed bind or listen.
int bind_error(const std::string& ip, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  int error = 0;
  if (::inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) != 1) error = EINVAL;
  else if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 1) != 0) error = errno;
  ::close(fd);
  return error;
}

}  // namespace

std::string LoopbackBlock::address(int host) const {
  return "127." + std::to_string(second) + "." + std::to_string(third) + "." + std::to_string(host);
}

std::string LoopbackBlock::cidr() const { return address(0) + "/24"; }

std::expected<LoopbackBlock, std::string> parse_loopback_block(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || text.substr(slash) != "/24")
    return std::unexpected("'" + std::string(text) + "' is not a /24 block (expected 127.X.Y.0/24)");
  std::string_view addr = text.substr(0, slash);
  std::uint8_t parts[4]{};
  for (int i = 0; i < 4; ++i) {
    const auto dot = addr.find('.');
    if ((dot == std::string_view::npos) != (i == 3))
      return std::unexpected("'" + std::string(text) + "' is not a /24 block (expected 127.X.Y.0/24)");
    auto value = octet(addr.substr(0, dot), text);
    if (!value) return std::unexpected(value.error());
    parts[i] = *value;
    addr = i == 3 ? std::string_view{} : addr.substr(dot + 1);
  }
  if (parts[0] != 127) return std::unexpected("'" + std::string(text) + "' is not in 127.0.0.0/8: the lab listens on loopback only");
  if (parts[3] != 0) return std::unexpected("'" + std::string(text) + "' has host bits set (expected 127.X.Y.0/24)");
  if (parts[1] == 0 && parts[2] <= 1)
    return std::unexpected("'" + std::string(text) + "' holds 127.0.0.1 or the host's own 127.0.1.1: choose another block");
  return LoopbackBlock{parts[1], parts[2]};
}

LoopbackBlock candidate_block(int index) {
  const int n = 10 + index;  // 127.0.10 on, past 127.0.0.1 and Debian's 127.0.1.1
  return LoopbackBlock{static_cast<std::uint8_t>(n / 256), static_cast<std::uint8_t>(n % 256)};
}

std::optional<BusyPoint> first_busy(const std::vector<ListenPoint>& points) {
  for (const auto& p : points)
    if (const int error = bind_error(p.address, p.port))
      return BusyPoint{p.address + ":" + std::to_string(p.port), error};
  return std::nullopt;
}

}  // namespace mratls::lab
