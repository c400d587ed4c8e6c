// Benchmark: mratls scan over a synthetic diagnostic log of N megabytes (default 256; give
// 1024 for the 1 GB run). Writes the log to a temporary file, scans it streaming, prints the
// throughput and the peak memory. Not a test.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "scan/log_reader.hpp"
#include "scan/scanner.hpp"

using namespace mratls;

int main(int argc, char** argv) {
  const std::uint64_t megabytes = argc > 1 ? std::stoull(argv[1]) : 256;
  auto path = std::filesystem::temp_directory_path() / "mratls-scan-bench.log";
  {
    std::ofstream out(path, std::ios::binary);
    std::uint64_t written = 0, txn = 0;
    const char* segs[] = {"c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvODQ0Mw", "c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg"};
    char line[1024];
    while (written < megabytes << 20) {
      ++txn;
      const bool fail = txn % 5 == 0;
      const char* seg = segs[fail ? 1 : 0];
      int second = static_cast<int>(txn % 60), minute = static_cast<int>((txn / 60) % 60);
      std::string prefix = "2022-07-11T18:" + std::to_string(10 + minute % 40) + ":" + (second < 10 ? "0" : "") +
                           std::to_string(second) + ".910+02:00 vcsc traffic_server[18242]: ";
      int n = std::snprintf(line, sizeof line,
                            "%sUTCTime=\"2022-07-11 16:55:25,910\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Receive "
                            "Request\" Txn-id=\"%llu\" TrackingID=\"6af9a674-9ebc-41ea-868e-90e7309a758c\" Src-ip=\"127.0.0.1\" "
                            "Src-port=\"35764\" Last-via-addr=\"\" Msg=\"GET http://vcs_control.steven.lab:8443/%s/cucm-uds/user/emusk/devices HTTP/1.1\"\n",
                            prefix.c_str(), static_cast<unsigned long long>(txn), seg);
      out.write(line, n);
      written += static_cast<std::uint64_t>(n);
      if (fail) {
        n = std::snprintf(line, sizeof line,
                          "%s[ET_NET 0] WARNING: Core server certificate verification failed for (cucm.steven.lab). "
                          "Action=Terminate Error=self signed certificate server=cucm.steven.lab(10.48.36.215) depth=0\n",
                          prefix.c_str());
        out.write(line, n);
        written += static_cast<std::uint64_t>(n);
      }
      n = std::snprintf(line, sizeof line,
                        "%sUTCTime=\"2022-07-11 16:55:26,024\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Sending "
                        "Response\" Txn-id=\"%llu\" TrackingID=\"\" Dst-ip=\"127.0.0.1\" Dst-port=\"35766\" Msg=\"HTTP/1.1 %s\"\n",
                        prefix.c_str(), static_cast<unsigned long long>(txn), fail ? "502 connect failed" : "200 ");
      out.write(line, n);
      written += static_cast<std::uint64_t>(n);
    }
  }
  auto size = std::filesystem::file_size(path);
  scan::Scanner scanner;
  auto began = std::chrono::steady_clock::now();
  std::vector<std::string> skipped;
  auto read = scan::scan_files({path.string()}, scanner, skipped);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::filesystem::remove(path);
  if (!read) return std::fprintf(stderr, "%s\n", read.error().c_str()), 2;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("scanned %.0f MB (%llu lines, %llu transactions, %zu origins) in %.2f s: %.1f MB/s, peak RSS %ld MB\n",
              static_cast<double>(size) / (1 << 20), static_cast<unsigned long long>(scanner.stats().lines),
              static_cast<unsigned long long>(scanner.stats().transactions), scanner.origins().size(), seconds,
              static_cast<double>(size) / (1 << 20) / seconds, usage.ru_maxrss / 1024);
  return 0;
}
