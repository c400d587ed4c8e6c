// A live capture of loopback traffic through libpcap, written to a pcap file as tcpdump would:
// what an engineer captures on the appliance, taken of the lab's own connections.
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
  // Reads what the kernel still holds, then closes the file.
  void stop();

 private:
  LoopbackCapture() = default;
  pcap_t* handle_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::thread reader_;
};

}  // namespace mratls::test
