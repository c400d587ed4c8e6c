// What the integration tests share: a lab PKI, the proxy in-process on an ephemeral port with
// its log lines collected through the real asynchronous spdlog path, and a raw HTTP client.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "lab/collecting_sink.hpp"
#include "lab/in_process.hpp"
#include "lab/mock_origin.hpp"
#include "lab/pki.hpp"
#include "lab/scenarios.hpp"
#include "proxy/blocking_client.hpp"
#include "verify/cipher_preference.hpp"

namespace mratls::test {

// The appliance's cipher string with the field's RSA-first prefix.
inline const std::string kRsaFirst = verify::rsa_first(config::Expressway{}.ciphers);

using MemorySink = lab::CollectingSink;

// The lab's authorities with the trusted root written to a PEM file for the configuration.
struct LabPki {
  std::filesystem::path dir;
  std::string trust_file;  // root only

  static const LabPki& get();
};

config::Config base_config(const LabPki& pki);

// How many times longer a test may wait than in the Release build: 3 under the sanitizers, or
// MRATLS_TEST_TIME_SCALE when it is set. The base configuration's timeouts are multiplied by
// it; the short timeout a test of a timeout sets, and the line it expects, are not.
int time_scale();

// Whether this build runs under the sanitizers: a broad property then runs a sample of its matrix.
inline bool sanitized() {
#ifdef MRATLS_SANITIZED
  return true;
#else
  return false;
#endif
}

// Polls `done` until it holds or the timeout passes; false on timeout. For what the test can
// only observe, not be told of (the log tap, the kernel's socket state).
template <class Done>
[[nodiscard]] bool wait_until(Done done, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  const auto until = std::chrono::steady_clock::now() + timeout * time_scale();
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

using HttpResult = proxy::ClientResponse;

// A client connection to the proxy under test.
class Client : public proxy::BlockingClient {
 public:
  explicit Client(std::uint16_t port) : proxy::BlockingClient("127.0.0.1", port) {}
};

// The proxy in-process, with masking of what varies from run to run.
class ProxyUnderTest {
 public:
  explicit ProxyUnderTest(config::Config config);
  std::uint16_t port() const { return proxy_->port(); }
  proxy::Server& server() { return proxy_->server(); }
  MemorySink& sink() { return proxy_->sink(); }
  const std::shared_ptr<logs::Log>& log() const { return proxy_->log(); }
  lab::InProcessProxy& in_process() { return *proxy_; }
  // The lines so far, with the syslog prefix checked and removed, and times, client ports and
  // the given origin ports masked.
  std::vector<std::string> masked_lines(const std::vector<std::uint16_t>& origin_ports = {});

 private:
  std::unique_ptr<lab::InProcessProxy> proxy_;
};

// The mratls binary run as a child process, its stderr (and stdout) read as it comes.
struct Process {
  pid_t pid = -1;
  int out_fd = -1;
  std::string output;

  // Reads the output until `needle` shows up or the timeout passes. Timeouts are the Release
  // build's: they are multiplied by time_scale() under the sanitizers.
  bool wait_for(const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(10));
  // The exit code, or -1 when it had to be killed.
  int wait_exit(std::chrono::seconds timeout = std::chrono::seconds(10));
  long peak_rss_kib = 0;  // the child's, once wait_exit has seen it exit
  ~Process();
};

Process spawn_mratls(std::vector<std::string> args);
// The same as the user nobody, without any capability: what a user who is not root gets. Exit
// 126: the process could not become nobody; 127: nobody may not run the binary.
Process spawn_mratls_as_nobody(std::vector<std::string> args);

// The loopback block a `mratls lab` run printed ("Nodes listen in 127.0.10.0/24"), as its first
// three octets ("127.0.10"), or "" when it printed none.
std::string lab_block(const std::string& output);

std::string get_request(const std::string& path, const std::string& tracking = "test-tracking-id",
                        const std::string& extra_headers = "");

std::string segment_for(const std::string& host, std::uint16_t port, const std::string& protocol = "https");

// Certificates and CSRs as files engineers have them: DER, and PKCS#7 bundles as CAs return.
std::string to_der(X509* cert);
std::string to_der(X509_REQ* request);
std::string to_pkcs7_der(const std::vector<X509*>& certs);
// Writes bytes to a file under the test PKI's directory and returns its path.
std::string write_file(const std::string& relative, const std::string& bytes);

// A gzip-compressed tar archive of the members (name, bytes), or with tar false the one member
// gzipped alone.
void write_archive(const std::filesystem::path& path, const std::vector<std::pair<std::string, std::string>>& members,
                   bool tar);

}  // namespace mratls::test
