// A live capture of loopback traffic through libpcap, written to a pcap file as tcpdump would:
// what an engineer captures on the appliance, taken of the lab's own connections. Needs the
// right to capture (root or CAP_NET_RAW), as tcpdump does.
#pragma once

#include <pcap/pcap.h>

#include <atomic>
#include <expected>
#include <memory>
#include <string>
#include <thread>

namespace mratls::test {

class LoopbackCapture {
 public:
  // Captures what `filter` (BPF, "net 127.0.10.0/24") passes on "lo" into `path`.
  static std::expected<std::unique_ptr<LoopbackCapture>, std::string> start(const std::string& path, const std::string& filter);
  ~LoopbackCapture();
  LoopbackCapture(const LoopbackCapture&) = delete;
  LoopbackCapture& operator=(const LoopbackCapture&) = delete;
  // Reads what the kernel still holds, then closes the file. Empty, or why reading failed.
  std::string stop();

 private:
  struct PcapClose {
    void operator()(pcap_t* p) const { pcap_close(p); }
  };
  struct DumpClose {
    void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
  };
  LoopbackCapture() = default;

  std::unique_ptr<pcap_t, PcapClose> handle_;
  std::unique_ptr<pcap_dumper_t, DumpClose> dumper_;
  std::atomic<bool> stopping_{false};
  std::string error_;  // written by the reader thread, read after it is joined
  std::thread reader_;
};

}  // namespace mratls::test
