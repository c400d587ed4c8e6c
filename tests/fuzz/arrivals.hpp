// Bytes arriving from a peer in reads of a fixed size, as a socket hands them over: the
// framing targets feed the proxy's parser this way, so that every split point gets tried.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

struct Arrivals {
  std::string_view bytes;
  std::size_t piece = 1;
  std::size_t at = 0;

  // Appends the next read to `into`; false when the peer has sent everything.
  bool read_into(std::string& into) {
    if (at >= bytes.size()) return false;
    const auto n = std::min(piece, bytes.size() - at);
    into.append(bytes.substr(at, n));
    at += n;
    return true;
  }
};
