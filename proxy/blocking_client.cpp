#include "proxy/blocking_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy/response_collector.hpp"

namespace mratls::proxy {

BlockingClient::BlockingClient(const std::string& address, std::uint16_t port, std::chrono::milliseconds timeout) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) return;
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

BlockingClient::~BlockingClient() {
  if (fd_ >= 0) ::close(fd_);
}

void BlockingClient::send_raw(const std::string& bytes) {
  std::size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

ClientResponse BlockingClient::read_response(bool head_request) { return read(head_request, false); }

ClientResponse BlockingClient::read(bool head_request, bool stop_at_interim) {
  ClientResponse r;
  if (fd_ < 0) return r;
  ResponseCollector response(head_request, stop_at_interim);
  for (;;) {
    pending_.erase(0, response.feed(pending_));
    if (response.done()) break;
    char buf[16384];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      r.closed = true;
      response.finish();
      break;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
  }
  r.status = response.status();
  r.reason = response.reason();
  r.headers = response.headers();
  r.body = response.body();
  r.interim = response.interim();
  if (const auto* c = response.head().find("Connection"); c && *c == "close") r.closed = true;
  return r;
}

bool BlockingClient::peer_closed() {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 2000) <= 0) return false;
  char b;
  return ::recv(fd_, &b, 1, MSG_PEEK) == 0;
}

}  // namespace mratls::proxy
