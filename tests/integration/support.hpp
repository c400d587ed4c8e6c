// What the integration tests share: a lab PKI, the proxy in-process on an ephemeral port with
// its log lines collected through the real asynchronous spdlog path, and a raw HTTP client.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "lab/mock_origin.hpp"
#include "lab/pki.hpp"
#include "proxy/server.hpp"

namespace mratls::test {

class MemorySink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines();
  // Waits until a line containing `needle` has been written (or the timeout passes).
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits until at least `count` lines contain `needle`.
  bool wait_for_count(const std::string& needle, std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::size_t count(const std::string& needle);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
  std::condition_variable changed_;
};

// Root CA (trusted), its intermediate, and a second hierarchy the proxy does not trust.
struct LabPki {
  lab::Issued root;
  lab::Issued intermediate;
  lab::Issued other_root;
  lab::Issued other_intermediate;
  std::filesystem::path dir;
  std::string trust_file;  // root only

  static const LabPki& get();
};

config::Config base_config(const LabPki& pki);

struct HttpResult {
  int status = 0;  // 0: no response (connection closed or timed out)
  std::string reason;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool closed = false;  // the proxy closed the connection after the response
};

// A client connection to the proxy that can send several requests.
class Client {
 public:
  explicit Client(std::uint16_t port);
  ~Client();
  void send_raw(const std::string& bytes);
  HttpResult read_response(bool head_request = false);
  HttpResult exchange(const std::string& bytes) {
    send_raw(bytes);
    return read_response();
  }
  bool peer_closed();

 private:
  int fd_ = -1;
  std::string pending_;
};

class ProxyUnderTest {
 public:
  explicit ProxyUnderTest(config::Config config);
  ~ProxyUnderTest();
  std::uint16_t port() const { return server_->port(); }
  proxy::Server& server() { return *server_; }
  MemorySink& sink() { return *sink_; }
  // The lines so far, with the syslog prefix checked and removed, and times, ports and
  // ephemeral origin ports masked.
  std::vector<std::string> masked_lines(const std::vector<std::uint16_t>& origin_ports = {});
  std::shared_ptr<logs::Log> log() { return log_; }

 private:
  std::shared_ptr<MemorySink> sink_;
  std::shared_ptr<logs::Log> log_;
  std::unique_ptr<proxy::Server> server_;
};

std::string get_request(const std::string& path, const std::string& tracking = "test-tracking-id",
                        const std::string& extra_headers = "");

std::string segment_for(const std::string& host, std::uint16_t port, const std::string& protocol = "https");

}  // namespace mratls::test
