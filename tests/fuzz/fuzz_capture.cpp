// Packet captures as mratls scan reads them: a frame decoded under every link type, the bytes
// cut into TCP segments delivered in an order the input chooses (duplicates and overlaps
// included), and the TLS reader over what reassembly gives. Properties: reassembly never holds
// more than its bound, gives back exactly the bytes sent when every segment arrives, and the
// TLS reader reads no more certificate bytes than there are.
#include <algorithm>
#include <string>
#include <vector>

#include "fuzz_target.hpp"
#include "scan/capture/packet_decode.hpp"
#include "scan/capture/tcp_direction.hpp"
#include "scan/capture/tls_handshake.hpp"

namespace cap = mratls::scan::capture;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  for (std::uint32_t link : {0u, 1u, 12u, 101u, 108u, 113u, 276u})
    if (auto segment = cap::decode_packet(link, input)) {
      MRATLS_FUZZ_CHECK(segment->payload.data() >= data && segment->payload.data() + segment->payload.size() <= data + size);
    }

  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto read = cap::read_tls(bytes);
  std::size_t certificate_bytes = 0;
  for (const auto& der : read.certificates) certificate_bytes += der.size();
  MRATLS_FUZZ_CHECK(certificate_bytes <= size);
  MRATLS_FUZZ_CHECK(!read.problem.empty() || size == 0 || read.tls);

  // The input cut at points its own bytes choose, the pieces delivered in an order and with
  // repeats they choose too; with every piece delivered at least once, the stream comes back.
  if (size < 2) return 0;
  constexpr std::size_t kLimit = 4096;
  std::vector<std::pair<std::size_t, std::size_t>> pieces;  // offset, length
  for (std::size_t at = 0, i = 0; at < size; ++i) {
    const std::size_t length = std::min<std::size_t>(size - at, 1 + data[i % size] % 97);
    pieces.emplace_back(at, length);
    at += length;
  }
  std::vector<std::pair<std::size_t, std::size_t>> order = pieces;
  for (std::size_t i = 0; i < order.size(); ++i) std::swap(order[i], order[(i * 31 + data[i % size]) % order.size()]);
  for (std::size_t i = 0; i < size && i < 16; i += 3) {  // retransmissions, some overlapping
    const auto& p = pieces[data[i] % pieces.size()];
    order.emplace_back(p.first, std::min(size - p.first, p.second + data[(i + 1) % size] % 50));
  }
  const std::uint32_t isn = static_cast<std::uint32_t>(data[0]) << 24 | static_cast<std::uint32_t>(data[1]) << 16 | 0xfff0u;
  cap::TcpDirection direction(kLimit);
  direction.add(isn, true, {});
  for (const auto& [offset, length] : order)
    direction.add(isn + 1 + static_cast<std::uint32_t>(offset), false, input.subspan(offset, length));
  MRATLS_FUZZ_CHECK(direction.stored() <= kLimit);
  const auto got = direction.contiguous();
  if (size <= kLimit) {
    MRATLS_FUZZ_CHECK(got.data == bytes);
    MRATLS_FUZZ_CHECK(!got.gap);
  } else {
    MRATLS_FUZZ_CHECK(bytes.starts_with(got.data));
  }
  (void)cap::read_tls(got.data);
  return 0;
}
