// Benchmark: requests through the proxy to one verified origin on loopback, with
// VerifyOriginServer On and Off, with the origin pool (one verified handshake, then reuse) and
// without it (a handshake and a verification per request, as an origin that closes each
// connection forces). With --nginx, the same load through nginx as a TLS-verifying reverse
// proxy (proxy_ssl_verify) to the same origin, as a yardstick. Prints throughput and latency
// percentiles; it asserts nothing.
//   mratls_proxy_bench [CONNECTIONS] [REQUESTS_PER_CONNECTION] [--nginx [PATH]] [--only WORD]
// --only keeps the modes whose name contains WORD ("pooled", "handshake", "On,", "Off,"), for
// profiling one of them.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "lab/scenarios.hpp"
#include "proxy/blocking_client.hpp"
#include "lab/in_process.hpp"
#include "mra/mra_path.hpp"

using namespace mratls;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

struct Mode {
  const char* name;
  bool verify;
  bool pooled;
};

struct Result {
  std::size_t ok = 0;
  std::size_t failed = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
  int origin_handshakes = 0;
};

struct Load {
  int connections;
  int requests;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

// Keep-alive clients, each on its own thread, sending the same request back to back.
Result drive(std::uint16_t port, const std::string& request, Load load) {
  std::vector<Result> per_thread(static_cast<std::size_t>(load.connections));
  const auto began = Clock::now();
  {
    std::vector<std::jthread> clients;
    for (int c = 0; c < load.connections; ++c)
      clients.emplace_back([&, c] {
        auto& r = per_thread[static_cast<std::size_t>(c)];
        proxy::BlockingClient client("127.0.0.1", port);
        for (int i = 0; i < load.requests; ++i) {
          const auto t0 = Clock::now();
          auto response = client.exchange(request);
          r.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          (response.status == 200 ? r.ok : r.failed)++;
          if (response.status == 0) break;
        }
      });
  }
  Result total;
  total.seconds = std::chrono::duration<double>(Clock::now() - began).count();
  for (auto& r : per_thread) {
    total.ok += r.ok;
    total.failed += r.failed;
    total.latencies_ms.insert(total.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  return total;
}

struct Origin {
  std::unique_ptr<lab::MockOrigin> server;
  std::string host;
  std::string request;  // the MRA request for it
};

Origin start_origin() {
  auto def = lab::scenario_origin("ok-fqdn");
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  const auto port = (*origin)->port();
  const std::string request = "GET /" + mra::encode_segment({"steven.lab", "https", def.connect_host, port, false}) +
                              "/cucm-uds/user/emusk/devices HTTP/1.1\r\nHost: vcs_control.steven.lab:8443\r\n\r\n";
  return {std::move(*origin), def.connect_host, request};
}

Result run_mratls(const Mode& mode, const std::string& trust_file, Load load) {
  auto origin = start_origin();
  const auto port = origin.server->port();
  config::Config config;
  config.source = "bench";
  config.listen.address = "127.0.0.1";
  config.listen.port = 0;
  config.listen.public_name = "vcs_control.steven.lab";
  config.expressway.trusted_ca_certificates = {trust_file};
  config.expressway.verify_origin_server = mode.verify ? config::VerifyOriginServer::On : config::VerifyOriginServer::Off;
  config.hosts[origin.host] = "127.0.0.1";
  config.origin.keep_alive = mode.pooled;
  config.origin.tls_session_reuse = mode.pooled;
  config.allow_list.push_back(
      {"https://" + origin.host + ":" + std::to_string(port) + "/cucm-uds/", config::MatchType::Prefix, {"GET"}});
  auto proxy = lab::InProcessProxy::start(config);
  if (!proxy) throw std::runtime_error(proxy.error());
  auto r = drive((*proxy)->port(), origin.request, load);
  r.origin_handshakes = origin.server->handshakes();
  return r;
}

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool accepts(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// nginx as a TLS-verifying reverse proxy to the same origin, as close to the proxy's settings
// as nginx allows: SNI and name check against the origin's FQDN, depth 7, the lab root only.
Result run_nginx(const Mode& mode, const std::string& nginx, const fs::path& dir, const std::string& trust_file, Load load) {
  auto origin = start_origin();
  const auto origin_port = origin.server->port();
  const auto port = free_port();
  const auto prefix = dir / "nginx";
  fs::create_directories(prefix / "logs");
  const std::string upstream = mode.pooled ? "origin" : "127.0.0.1:" + std::to_string(origin_port);
  std::ofstream(prefix / "nginx.conf")
      << "worker_processes " << std::max(1u, std::thread::hardware_concurrency()) << ";\n"
      << "error_log " << (prefix / "logs" / "error.log").string() << " warn;\npid " << (prefix / "nginx.pid").string()
      << ";\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n"
      << "  upstream origin { server 127.0.0.1:" << origin_port << ";" << (mode.pooled ? " keepalive 64;" : "") << " }\n"
      << "  server {\n    listen 127.0.0.1:" << port << ";\n    location / {\n"
      << "      proxy_pass https://" << upstream << ";\n      proxy_http_version 1.1;\n"
      << "      proxy_set_header Connection \"" << (mode.pooled ? "" : "close") << "\";\n"
      << "      proxy_ssl_server_name on;\n      proxy_ssl_name " << origin.host << ";\n"
      << "      proxy_ssl_verify " << (mode.verify ? "on" : "off") << ";\n      proxy_ssl_verify_depth 7;\n"
      << "      proxy_ssl_trusted_certificate " << trust_file << ";\n"
      << "      proxy_ssl_session_reuse " << (mode.pooled ? "on" : "off") << ";\n    }\n  }\n}\n";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string p = prefix.string(), c = (prefix / "nginx.conf").string();
    ::execl(nginx.c_str(), nginx.c_str(), "-p", p.c_str(), "-c", c.c_str(), "-g", "daemon off;", static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  for (int i = 0; i < 100 && !accepts(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Result r;
  if (accepts(port)) r = drive(port, origin.request, load);
  else std::fprintf(stderr, "nginx did not start: see %s\n", (prefix / "logs" / "error.log").c_str());
  ::kill(pid, SIGQUIT);
  ::waitpid(pid, nullptr, 0);
  r.origin_handshakes = origin.server->handshakes();
  return r;
}

void print(const char* who, const Mode& mode, Result r) {
  std::printf("%-7s %-44s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  origin handshakes %5d  failed %zu\n", who, mode.name,
              r.seconds > 0 ? static_cast<double>(r.ok) / r.seconds : 0.0, percentile(r.latencies_ms, 0.50),
              percentile(r.latencies_ms, 0.99), r.origin_handshakes, r.failed);
}

}  // namespace

int main(int argc, char** argv) {
  Load load{16, 250};
  std::string nginx, only;
  std::vector<std::string> numbers;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--nginx") nginx = i + 1 < argc && argv[i + 1][0] == '/' ? argv[++i] : "/usr/sbin/nginx";
    else if (arg == "--only" && i + 1 < argc) only = argv[++i];
    else numbers.push_back(arg);
  }
  if (!numbers.empty()) load.connections = std::max(1, std::atoi(numbers[0].c_str()));
  if (numbers.size() > 1) load.requests = std::max(1, std::atoi(numbers[1].c_str()));
  if (!nginx.empty() && !fs::exists(nginx)) {
    std::fprintf(stderr, "mratls_proxy_bench: %s: no nginx there (apt-get install nginx)\n", nginx.c_str());
    return 2;
  }
  const auto dir = fs::temp_directory_path() / "mratls-proxy-bench";
  fs::create_directories(dir);
  const auto trust = (dir / "root.pem").string();
  std::ofstream(trust) << lab::LabAuthorities::shared().root.cert_pem();

  const Mode modes[] = {{"VerifyOriginServer On,  pooled", true, true},
                        {"VerifyOriginServer Off, pooled", false, true},
                        {"VerifyOriginServer On,  handshake per request", true, false},
                        {"VerifyOriginServer Off, handshake per request", false, false}};
  std::printf("%d client connections x %d keep-alive requests, one origin, %u cores\n", load.connections, load.requests,
              std::thread::hardware_concurrency());
  bool all_ok = true;
  for (const auto& mode : modes) {
    if (std::string(mode.name).find(only) == std::string::npos) continue;
    auto r = run_mratls(mode, trust, load);
    all_ok = all_ok && r.failed == 0;
    print("mratls", mode, r);
    if (nginx.empty()) continue;
    auto n = run_nginx(mode, nginx, dir, trust, load);
    all_ok = all_ok && n.failed == 0 && n.ok > 0;
    print("nginx", mode, n);
  }
  return all_ok ? 0 : 1;
}
