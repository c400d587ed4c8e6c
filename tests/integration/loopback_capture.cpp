#include "loopback_capture.hpp"

namespace mratls::test {

std::expected<std::unique_ptr<LoopbackCapture>, std::string> LoopbackCapture::start(const std::string& path,
                                                                                    const std::string& filter) {
  char error[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<LoopbackCapture> c(new LoopbackCapture());
  c->handle_ = pcap_create("lo", error);
  if (!c->handle_) return std::unexpected(std::string("pcap_create(lo): ") + error);
  pcap_set_snaplen(c->handle_, 65535);
  pcap_set_immediate_mode(c->handle_, 1);
  pcap_set_timeout(c->handle_, 20);
  pcap_set_buffer_size(c->handle_, 16 << 20);
  if (pcap_activate(c->handle_) < 0) return std::unexpected(std::string("pcap_activate(lo): ") + pcap_geterr(c->handle_));
  bpf_program program{};
  if (pcap_compile(c->handle_, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
      pcap_setfilter(c->handle_, &program) != 0) {
    pcap_freecode(&program);
    return std::unexpected("filter '" + filter + "': " + pcap_geterr(c->handle_));
  }
  pcap_freecode(&program);
  if (pcap_setnonblock(c->handle_, 1, error) != 0) return std::unexpected(std::string("pcap_setnonblock: ") + error);
  c->dumper_ = pcap_dump_open(c->handle_, path.c_str());
  if (!c->dumper_) return std::unexpected(path + ": " + pcap_geterr(c->handle_));
  auto* raw = c.get();
  c->reader_ = std::thread([raw] {
    for (;;) {
      const bool last = raw->stopping_.load();
      while (pcap_dispatch(raw->handle_, -1, pcap_dump, reinterpret_cast<u_char*>(raw->dumper_)) > 0) {
      }
      if (last) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  return c;
}

void LoopbackCapture::stop() {
  if (!reader_.joinable()) return;
  stopping_ = true;
  reader_.join();
  pcap_dump_close(dumper_);
  dumper_ = nullptr;
}

LoopbackCapture::~LoopbackCapture() {
  stop();
  if (dumper_) pcap_dump_close(dumper_);
  if (handle_) pcap_close(handle_);
}

}  // namespace mratls::test
