#include "support.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <gtest/gtest.h>
#include <signal.h>
#include <grp.h>
#include <sys/select.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <openssl/pkcs7.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <thread>

#include "logs/log.hpp"
#include "mra/mra_path.hpp"

namespace mratls::test {

const LabPki& LabPki::get() {
  static const LabPki pki = [] {
    LabPki p;
    p.dir = std::filesystem::temp_directory_path() / ("mratls-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(p.dir);
    p.trust_file = (p.dir / "lab-root.pem").string();
    std::ofstream(p.trust_file) << lab::LabAuthorities::shared().root.cert_pem();
    return p;
  }();
  return pki;
}

config::Config base_config(const LabPki& pki) {
  config::Config c;
  c.source = "test.yaml";
  c.listen.address = "127.0.0.1";
  c.listen.port = 0;
  c.listen.public_name = "vcs_control.steven.lab";
  c.expressway.trusted_ca_certificates = {pki.trust_file};
  c.hosts["cucm.steven.lab"] = "127.0.0.1";
  c.threads = 1;
  // Generous for the happy paths: a slow handshake on two busy cores must never be a spurious
  // 502. A test of a timeout sets the short one its line names.
  c.timeouts.connect_ms = 5000 * time_scale();
  c.timeouts.handshake_ms = 10000 * time_scale();
  c.timeouts.origin_response_ms = 10000 * time_scale();
  c.timeouts.client_header_ms = 10000 * time_scale();
  return c;
}

int time_scale() {
  static const int scale = [] {
    if (const char* set = std::getenv("MRATLS_TEST_TIME_SCALE"); set && std::atoi(set) > 0) return std::atoi(set);
#ifdef MRATLS_SANITIZED
    return 3;
#else
    return 1;
#endif
  }();
  return scale;
}

ProxyUnderTest::ProxyUnderTest(config::Config config) {
  auto started = lab::InProcessProxy::start(std::move(config));
  if (!started) throw std::runtime_error(started.error());
  proxy_ = std::move(*started);
}

std::vector<std::string> ProxyUnderTest::masked_lines(const std::vector<std::uint16_t>& origin_ports) {
  proxy_->log()->flush();
  static const std::regex prefix(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d vcsc traffic_server\[\d+\]: )");
  static const std::regex utc(R"(UTCTime="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}")");
  std::vector<std::string> out;
  for (auto line : proxy_->sink().lines()) {
    std::smatch m;
    if (!std::regex_search(line, m, prefix) || m.position(0) != 0) {
      out.push_back("UNPREFIXED: " + line);
      continue;
    }
    line = line.substr(static_cast<std::size_t>(m.length(0)));
    line = std::regex_replace(line, utc, "UTCTime=\"T\"");
    for (auto p : origin_ports) {
      auto text = std::to_string(p);
      for (std::size_t at; (at = line.find(":" + text)) != std::string::npos;) line.replace(at + 1, text.size(), "PORT");
      for (std::size_t at; (at = line.find("port=\"" + text + "\"")) != std::string::npos;)
        line.replace(at + 6, text.size(), "PORT");
      for (std::size_t at; (at = line.find("port=" + text)) != std::string::npos;) line.replace(at + 5, text.size(), "PORT");
    }
    line = std::regex_replace(line, std::regex(R"((Src|Dst)-port="\d+")"), "$1-port=\"C\"");
    out.push_back(line);
  }
  return out;
}

bool Process::wait_for(const std::string& needle, std::chrono::seconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout * time_scale();
  for (;;) {
    if (output.find(needle) != std::string::npos) return true;
    fd_set set;
    FD_ZERO(&set);
    FD_SET(out_fd, &set);
    timeval tv{0, 100000};
    if (select(out_fd + 1, &set, nullptr, nullptr, &tv) > 0) {
      char buf[4096];
      auto n = read(out_fd, buf, sizeof buf);
      if (n <= 0) return output.find(needle) != std::string::npos;
      output.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (std::chrono::steady_clock::now() > until) return false;
  }
}

int Process::wait_exit(std::chrono::seconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout * time_scale();
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, WNOHANG, &usage) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      pid = -1;
      return -1;
    }
    wait_for("\x01never\x01", std::chrono::seconds(0));  // keeps draining the pipe
  }
  pid = -1;
  peak_rss_kib = usage.ru_maxrss;
  wait_for("\x01never\x01", std::chrono::seconds(0));
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Process::~Process() {
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  if (out_fd >= 0) close(out_fd);
}

std::string lab_block(const std::string& output) {
  static const std::regex printed(R"(Nodes listen in (127\.\d+\.\d+)\.0/24)");
  std::smatch m;
  return std::regex_search(output, m, printed) ? m[1].str() : std::string{};
}

namespace {

Process spawn(std::vector<std::string> args, bool as_nobody) {
  // Everything the child needs is made before the fork: between fork and exec the child of a
  // threaded test may call only what is async-signal-safe, and an allocation there can wait
  // forever on a lock another thread of the parent held at the fork (clang 16's ASan allocator
  // is not reset across a fork as glibc's malloc is).
  std::string binary = MRATLS_BINARY;
  std::vector<char*> argv;
  argv.push_back(binary.data());
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  static constexpr char kNotNobody[] = "cannot become nobody\n";
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
  Process p;
  p.pid = fork();
  if (p.pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (p.pid == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    constexpr uid_t kNobody = 65534;
    if (as_nobody && (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0)) {
      [[maybe_unused]] auto n = ::write(STDERR_FILENO, kNotNobody, sizeof kNotNobody - 1);
      _exit(126);
    }
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  p.out_fd = pipe_fds[0];
  return p;
}

}  // namespace

Process spawn_mratls(std::vector<std::string> args) { return spawn(std::move(args), false); }
Process spawn_mratls_as_nobody(std::vector<std::string> args) { return spawn(std::move(args), true); }

std::string get_request(const std::string& path, const std::string& tracking, const std::string& extra_headers) {
  return "GET " + path + " HTTP/1.1\r\nHost: vcs_control.steven.lab:8443\r\nTrackingID: " + tracking + "\r\n" +
         extra_headers + "\r\n";
}

std::string segment_for(const std::string& host, std::uint16_t port, const std::string& protocol) {
  return mra::encode_segment({"steven.lab", protocol, host, port, mra::is_ip_literal(host)});
}

namespace {

template <class T, int (*Encode)(const T*, unsigned char**)>
std::string der_of(const T* object) {
  unsigned char* buf = nullptr;
  const int len = Encode(object, &buf);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

}  // namespace

std::string to_der(X509* cert) { return der_of<X509, i2d_X509>(cert); }
std::string to_der(X509_REQ* request) { return der_of<X509_REQ, i2d_X509_REQ>(request); }

std::string to_pkcs7_der(const std::vector<X509*>& certs) {
  using Pkcs7Ptr = std::unique_ptr<PKCS7, ossl::Deleter<PKCS7_free>>;
  Pkcs7Ptr p7(PKCS7_new());
  PKCS7_set_type(p7.get(), NID_pkcs7_signed);
  PKCS7_content_new(p7.get(), NID_pkcs7_data);
  for (auto* c : certs) PKCS7_add_certificate(p7.get(), c);
  return der_of<PKCS7, i2d_PKCS7>(p7.get());
}

std::string write_file(const std::string& relative, const std::string& bytes) {
  auto path = LabPki::get().dir / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

void write_archive(const std::filesystem::path& path, const std::vector<std::pair<std::string, std::string>>& members, bool tar) {
  archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  if (tar) archive_write_set_format_pax_restricted(a);
  else archive_write_set_format_raw(a);
  archive_write_open_filename(a, path.c_str());
  for (const auto& [name, text] : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(text.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, text.data(), text.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

}  // namespace mratls::test
