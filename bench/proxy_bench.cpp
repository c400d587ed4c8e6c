// Benchmark: requests through the proxy to one verified origin on loopback, with
// VerifyOriginServer On and Off, with the origin pool (one verified handshake, then reuse) and
// without it (a handshake and a verification per request, as an origin that closes each
// connection forces). Prints throughput and latency percentiles; it asserts nothing.
//   mratls_proxy_bench [CONNECTIONS] [REQUESTS_PER_CONNECTION]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "lab/scenarios.hpp"
#include "proxy/blocking_client.hpp"
#include "proxy/in_process.hpp"
#include "proxy/mra_path.hpp"

using namespace mratls;
using Clock = std::chrono::steady_clock;

namespace {

struct Mode {
  const char* name;
  config::VerifyOriginServer verify;
  bool pooled;
};

struct Result {
  std::size_t ok = 0;
  std::size_t failed = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
  int origin_handshakes = 0;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

Result run(const Mode& mode, const std::string& trust_file, int connections, int requests) {
  auto def = lab::scenario_origin("ok-fqdn");
  auto origin = lab::MockOrigin::start(std::move(def.spec));
  if (!origin) throw std::runtime_error(origin.error());
  const auto port = (*origin)->port();

  config::Config config;
  config.source = "bench";
  config.listen.address = "127.0.0.1";
  config.listen.port = 0;
  config.listen.public_name = "vcs_control.steven.lab";
  config.expressway.trusted_ca_certificates = {trust_file};
  config.expressway.verify_origin_server = mode.verify;
  config.hosts[def.connect_host] = "127.0.0.1";
  config.origin.keep_alive = mode.pooled;
  config.origin.tls_session_reuse = mode.pooled;
  config.allow_list.push_back(
      {"https://" + def.connect_host + ":" + std::to_string(port) + "/cucm-uds/", config::MatchType::Prefix, {"GET"}});
  auto proxy = proxy::InProcessProxy::start(config);
  if (!proxy) throw std::runtime_error(proxy.error());

  const std::string request = "GET /" + proxy::encode_segment({"steven.lab", "https", def.connect_host, port, false}) +
                              "/cucm-uds/user/emusk/devices HTTP/1.1\r\nHost: vcs_control.steven.lab:8443\r\n\r\n";
  std::vector<Result> per_thread(static_cast<std::size_t>(connections));
  const auto began = Clock::now();
  {
    std::vector<std::jthread> clients;
    for (int c = 0; c < connections; ++c)
      clients.emplace_back([&, c] {
        auto& r = per_thread[static_cast<std::size_t>(c)];
        proxy::BlockingClient client("127.0.0.1", (*proxy)->port());
        for (int i = 0; i < requests; ++i) {
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
  total.origin_handshakes = (*origin)->handshakes();
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const int connections = argc > 1 ? std::max(1, std::atoi(argv[1])) : 16;
  const int requests = argc > 2 ? std::max(1, std::atoi(argv[2])) : 250;
  auto dir = std::filesystem::temp_directory_path() / "mratls-proxy-bench";
  std::filesystem::create_directories(dir);
  const auto trust = (dir / "root.pem").string();
  std::ofstream(trust) << lab::LabAuthorities::shared().root.cert_pem();

  const Mode modes[] = {{"VerifyOriginServer On,  pooled", config::VerifyOriginServer::On, true},
                        {"VerifyOriginServer Off, pooled", config::VerifyOriginServer::Off, true},
                        {"VerifyOriginServer On,  handshake per request", config::VerifyOriginServer::On, false},
                        {"VerifyOriginServer Off, handshake per request", config::VerifyOriginServer::Off, false}};
  std::printf("%d client connections x %d keep-alive requests, one origin, %u cores\n", connections, requests,
              std::thread::hardware_concurrency());
  bool all_ok = true;
  for (const auto& mode : modes) {
    auto r = run(mode, trust, connections, requests);
    all_ok = all_ok && r.failed == 0;
    std::printf("%-46s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  origin handshakes %5d  failed %zu\n", mode.name,
                static_cast<double>(r.ok) / r.seconds, percentile(r.latencies_ms, 0.50), percentile(r.latencies_ms, 0.99),
                r.origin_handshakes, r.failed);
  }
  return all_ok ? 0 : 1;
}
