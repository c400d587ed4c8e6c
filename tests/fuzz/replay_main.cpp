// A driver for the fuzz targets where libFuzzer is not available (g++; clang before 16 cannot
// compile the project's std::expected): runs every seed, then a deterministic stream of
// mutations of them. Under the ASan/UBSan build this is what CI runs. When an input crashes, it
// is written to fuzz-crash-<target>.bin in the working directory first, to be replayed by
// passing the file as the only argument.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_target.hpp"

#if defined(__SANITIZE_ADDRESS__) && __has_include(<sanitizer/common_interface_defs.h>)
#include <sanitizer/common_interface_defs.h>
#define MRATLS_HAVE_SANITIZER_CALLBACK 1
#endif

namespace {

const std::string* current = nullptr;
char crash_path[256] = "fuzz-crash.bin";

// Async-signal-safe: open and write only.
void dump_current() {
  if (!current) return;
  int fd = ::open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  ssize_t ignored = ::write(fd, current->data(), current->size());
  (void)ignored;
  ::close(fd);
  static const char note[] = "fuzz: the crashing input was written to the file named above\n";
  ignored = ::write(2, crash_path, std::strlen(crash_path));
  ignored = ::write(2, "\n", 1);
  ignored = ::write(2, note, sizeof note - 1);
}

void on_signal(int sig) {
  dump_current();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// xorshift64*: the same stream on every run, so that CI failures replay.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ULL;
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

// Tokens that matter to the parsers under test: line endings, separators, base64 padding,
// length fields, DER tags.
const std::vector<std::string> kTokens = {"\r\n", "\n", "\r", ":", " ", "/", "=", "0", "-1", "99999999999",
                                          "chunked", "Content-Length: ", "Transfer-Encoding: ", "\r\n\r\n", "%2F",
                                          "..", "\x00", "\xff", "\x30\x82", "\x30\x80", "-----BEGIN CERTIFICATE-----\n",
                                          "- ", "{", "[", "'", "\"", "&a", "*a", "!!binary ", "\t", "[::1]"};

std::string mutate(const std::vector<std::string>& seeds, Random& rng) {
  std::string s = seeds[rng.below(seeds.size())];
  const std::size_t steps = 1 + rng.below(4);
  for (std::size_t i = 0; i < steps; ++i) {
    const std::size_t at = rng.below(s.size() + 1);
    switch (rng.below(7)) {
      case 0:
        if (!s.empty()) s[rng.below(s.size())] ^= static_cast<char>(1u << rng.below(8));
        break;
      case 1:
        s.insert(at, 1, static_cast<char>(rng.below(256)));
        break;
      case 2:
        if (!s.empty()) s.erase(rng.below(s.size()), 1 + rng.below(16));
        break;
      case 3: {
        const std::string& t = kTokens[rng.below(kTokens.size())];
        s.insert(at, t.empty() ? std::string(1, '\0') : t);
        break;
      }
      case 4:
        if (!s.empty()) {
          const std::size_t from = rng.below(s.size());
          s.insert(at, s.substr(from, 1 + rng.below(32)));
        }
        break;
      case 5: {
        const std::string& other = seeds[rng.below(seeds.size())];
        s = s.substr(0, at) + other.substr(rng.below(other.size() + 1));
        break;
      }
      default:
        if (!s.empty()) s.resize(rng.below(s.size()));
        break;
    }
  }
  return s;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

int run_one(const std::string& input) {
  current = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  current = nullptr;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mutations = 0;
  std::uint64_t seed = 0x6d7261746c73ULL;
  std::vector<std::filesystem::path> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc) mutations = std::stoul(argv[++i]);
    else if (arg == "--seed" && i + 1 < argc) seed = std::stoull(argv[++i]);
    else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: " << argv[0] << " [--mutations N] [--seed S] FILE_OR_DIR...\n"
                << "Runs each input, then N mutations of them (deterministic for a seed).\n";
      return 0;
    } else paths.emplace_back(arg);
  }
  const std::string name = std::filesystem::path(argv[0]).filename().string();
  std::snprintf(crash_path, sizeof crash_path, "fuzz-crash-%s.bin", name.c_str());
  ::signal(SIGABRT, on_signal);
  ::signal(SIGSEGV, on_signal);
  ::signal(SIGFPE, on_signal);
#ifdef MRATLS_HAVE_SANITIZER_CALLBACK
  __sanitizer_set_death_callback(dump_current);
#endif

  std::vector<std::string> seeds;
  for (const auto& p : paths) {
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) seeds.push_back(read_file(f));
    } else if (std::filesystem::exists(p)) {
      seeds.push_back(read_file(p));
    } else {
      std::cerr << name << ": " << p.string() << ": no such file or directory\n";
      return 2;
    }
  }
  if (seeds.empty()) seeds.emplace_back();
  for (const auto& s : seeds) run_one(s);
  Random rng{seed | 1};
  for (std::size_t i = 0; i < mutations; ++i) run_one(mutate(seeds, rng));
  std::cout << name << ": " << seeds.size() << " seeds and " << mutations << " mutations, no property broken\n";
  return 0;
}
