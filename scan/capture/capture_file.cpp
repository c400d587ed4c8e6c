#include "scan/capture/capture_file.hpp"

#include <pcap/pcap.h>

#include <memory>

namespace mratls::scan::capture {
namespace {

struct PcapClose {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapPtr = std::unique_ptr<pcap_t, PcapClose>;

CaptureRead read_frames(PcapPtr pcap, const FrameSink& sink) {
  CaptureRead read;
  read.link_type = static_cast<std::uint32_t>(pcap_datalink(pcap.get()));
  read.format = pcap_major_version(pcap.get()) == 2 ? "pcap" : "pcapng";
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  for (;;) {
    const int r = pcap_next_ex(pcap.get(), &header, &data);
    if (r == PCAP_ERROR_BREAK) break;  // the end of the file
    if (r != 1) {
      read.truncated = pcap_geterr(pcap.get());
      break;
    }
    ++read.frames;
    sink({static_cast<std::int64_t>(header->ts.tv_sec) * 1000000 + header->ts.tv_usec, read.link_type,
          std::span<const std::uint8_t>(data, header->caplen)});
  }
  return read;
}

}  // namespace

bool looks_like_capture(std::span<const std::uint8_t> b) {
  if (b.size() < 4) return false;
  const std::uint32_t big = static_cast<std::uint32_t>(b[0]) << 24 | b[1] << 16 | b[2] << 8 | b[3];
  return big == 0xa1b2c3d4 || big == 0xd4c3b2a1 || big == 0xa1b23c4d || big == 0x4d3cb2a1 || big == 0x0a0d0d0a;
}

std::expected<CaptureRead, std::string> read_capture(std::FILE* stream, const std::string& name, const FrameSink& sink) {
  char error[PCAP_ERRBUF_SIZE] = {};
  // libpcap owns the stream from here, and closes it with the handle.
  PcapPtr pcap(pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_MICRO, error));
  if (!pcap) {
    std::fclose(stream);
    return std::unexpected(name + ": not a readable packet capture (" + error + ")");
  }
  return read_frames(std::move(pcap), sink);
}

std::expected<CaptureRead, std::string> read_capture_file(const std::string& path, const FrameSink& sink) {
  std::FILE* stream = std::fopen(path.c_str(), "rb");
  if (!stream) return std::unexpected(path + ": cannot open the file");
  return read_capture(stream, path, sink);
}

}  // namespace mratls::scan::capture
