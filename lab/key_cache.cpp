#include "lab/key_cache.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

namespace mratls::lab {
namespace fs = std::filesystem;
namespace {

ossl::PKeyPtr read_key(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return nullptr;
  std::ostringstream text;
  text << in.rdbuf();
  const std::string pem = text.str();
  ossl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::PKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) ERR_clear_error();
  return key;
}

// Written whole under a name of its own, then renamed: a process running alongside reads
// either no file or a complete one, never half a key.
void keep_key(const fs::path& file, EVP_PKEY* key) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::ostringstream partial;
  partial << file.string() << ".part-" << ::getpid() << '-' << std::this_thread::get_id();
  bool written = false;
  {
    std::ofstream out(partial.str(), std::ios::binary | std::ios::trunc);
    out << ossl::to_pem(key);
    written = static_cast<bool>(out.flush());
  }
  if (written) fs::rename(partial.str(), file, ec);
  if (!written || ec) fs::remove(partial.str(), ec);
}

}  // namespace

std::optional<fs::path> key_cache_folder() {
  const char* folder = std::getenv("MRATLS_KEY_CACHE");
  if (folder == nullptr || *folder == '\0') return std::nullopt;
  // A folder per program: a test's own lab and the `mratls lab` it starts never hold the same
  // key, as they never do outside the tests.
  return fs::path(folder) / program_invocation_short_name;
}

ossl::PKeyPtr cached_key(const fs::path& folder, std::string_view kind, const std::function<bool(EVP_PKEY*)>& fits,
                         const std::function<ossl::PKeyPtr()>& make) {
  static std::mutex mutex;
  static std::map<std::pair<fs::path, std::string>, int> next_rank;
  int rank = 0;
  {
    std::lock_guard lock(mutex);
    rank = next_rank[{folder, std::string(kind)}]++;
  }
  const fs::path file = folder / (std::string(kind) + "-" + std::to_string(rank) + ".pem");
  if (auto kept = read_key(file); kept && fits(kept.get())) return kept;
  auto made = make();
  if (made) keep_key(file, made.get());
  return made;
}

}  // namespace mratls::lab
