// Benchmark: mratls check's probe engine over 1,000 node-ports on loopback, each probed
// ECDSA-first and RSA-first (2,000 TLS handshakes with verification). Not a test: it prints
// the time; the target is under 5 seconds on a 2-core machine.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "lab/scenarios.hpp"
#include "check/probe.hpp"
#include "verify/cipher_preference.hpp"

using namespace mratls;

int main(int argc, char** argv) {
  const int node_ports = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int origins = 20;
  const auto& ca = lab::LabAuthorities::shared();
  auto dir = std::filesystem::temp_directory_path() / "mratls-check-bench";
  std::filesystem::create_directories(dir);
  auto trust = (dir / "root.pem").string();
  std::ofstream(trust) << ca.root.cert_pem();

  config::Config config;
  config.expressway.trusted_ca_certificates = {trust};
  std::vector<std::unique_ptr<lab::MockOrigin>> running;
  std::vector<check::ProbeTarget> targets;
  for (int i = 0; i < origins; ++i) {
    lab::MockOriginSpec spec;
    spec.name = "node" + std::to_string(i);
    lab::CertSpec leaf;
    leaf.common_name = "*.bench.steven.lab";
    leaf.dns_sans = {"*.bench.steven.lab"};
    spec.certificates.push_back({lab::issue(leaf, &ca.root), {}});
    auto o = lab::MockOrigin::start(std::move(spec));
    if (!o) return std::fprintf(stderr, "%s\n", o.error().c_str()), 2;
    running.push_back(std::move(*o));
  }
  for (int i = 0; i < node_ports; ++i) {
    std::string host = "n" + std::to_string(i) + ".bench.steven.lab";
    config.hosts[host] = "127.0.0.1";
    targets.push_back({host, "https", running[static_cast<std::size_t>(i % origins)]->port()});
  }
  auto ecdsa = *proxy::Runtime::build(config, nullptr);
  config.expressway.ciphers = verify::rsa_first(config.expressway.ciphers);
  auto rsa = *proxy::Runtime::build(config, nullptr);
  std::vector<check::ProbeJob> jobs;
  for (const auto& t : targets) {
    jobs.push_back({ecdsa, t, "ECDSA-first"});
    jobs.push_back({rsa, t, "RSA-first"});
  }
  auto began = std::chrono::steady_clock::now();
  auto probes = check::run_probes(jobs, 64, std::max(1u, std::thread::hardware_concurrency()));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::size_t verified = 0;
  for (const auto& p : probes) verified += p.outcome == check::ProbeOutcome::Verified;
  std::printf("checked %d node-ports (%zu probes, %zu verified) in %.2f s: %.0f probes/s\n", node_ports, probes.size(),
              verified, seconds, static_cast<double>(probes.size()) / seconds);
  return verified == probes.size() ? 0 : 1;
}
