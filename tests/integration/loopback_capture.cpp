#include "loopback_capture.hpp"

#include <chrono>

namespace mratls::test {

std::expected<std::unique_ptr<LoopbackCapture>, std::string> LoopbackCapture::start(const std::string& path,
                                                                                    const std::string& filter) {
  char error[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<LoopbackCapture> c(new LoopbackCapture());  // the constructor is private: start() is the way in
  c->handle_.reset(pcap_create("lo", error));
  auto* h = c->handle_.get();
  if (!h) return std::unexpected(std::string("pcap_create(lo): ") + error);
  if (pcap_set_snaplen(h, 65535) != 0 || pcap_set_immediate_mode(h, 1) != 0 || pcap_set_timeout(h, 20) != 0 ||
      pcap_set_buffer_size(h, 16 << 20) != 0)
    return std::unexpected("pcap: cannot set the capture options on lo");
  if (pcap_activate(h) < 0)
    return std::unexpected(std::string("pcap_activate(lo): ") + pcap_geterr(h) + " (capturing needs root or CAP_NET_RAW)");
  bpf_program program{};
  if (pcap_compile(h, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) return std::unexpected("filter '" + filter + "': " + pcap_geterr(h));
  const bool set = pcap_setfilter(h, &program) == 0;
  pcap_freecode(&program);
  if (!set) return std::unexpected("filter '" + filter + "': " + pcap_geterr(h));
  if (pcap_setnonblock(h, 1, error) != 0) return std::unexpected(std::string("pcap_setnonblock: ") + error);
  c->dumper_.reset(pcap_dump_open(h, path.c_str()));
  if (!c->dumper_) return std::unexpected(path + ": " + pcap_geterr(h));
  auto* raw = c.get();
  c->reader_ = std::thread([raw] {
    auto* user = reinterpret_cast<u_char*>(raw->dumper_.get());
    for (;;) {
      const bool last = raw->stopping_.load();
      int n = 0;
      while ((n = pcap_dispatch(raw->handle_.get(), -1, pcap_dump, user)) > 0) {
      }
      if (n < 0) {
        raw->error_ = std::string("pcap_dispatch: ") + pcap_geterr(raw->handle_.get());
        return;
      }
      if (last) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  return c;
}

std::string LoopbackCapture::stop() {
  if (reader_.joinable()) {
    stopping_ = true;
    reader_.join();
  }
  dumper_.reset();  // flushes the file
  return error_;
}

LoopbackCapture::~LoopbackCapture() { stop(); }

}  // namespace mratls::test
