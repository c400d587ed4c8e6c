#include "config/whole_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace mratls::config {

namespace fs = std::filesystem;

std::expected<void, std::string> write_whole_file(const fs::path& path, std::string_view bytes) {
  fs::path temporary = path;
  temporary += ".mratls-" + std::to_string(::getpid()) + ".tmp";
  std::FILE* out = std::fopen(temporary.c_str(), "wb");
  if (!out) return std::unexpected("cannot write " + path.string() + ": " + std::strerror(errno));
  // No fsync: the rename is what keeps a crashed process from leaving half a file, and the lab
  // writes many small ones.
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size() && std::fflush(out) == 0;
  const int error = errno;
  const bool closed = std::fclose(out) == 0;
  std::error_code ec;
  if (!written || !closed) {
    fs::remove(temporary, ec);
    return std::unexpected("cannot write " + path.string() + ": " + std::strerror(written ? errno : error));
  }
  fs::rename(temporary, path, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return std::unexpected("cannot write " + path.string() + ": " + ec.message());
  }
  return {};
}

std::expected<void, std::string> can_create(const fs::path& path) {
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return std::unexpected("cannot write " + path.string() + ": no folder " + folder.string());
  if (fs::is_directory(path, ec)) return std::unexpected("cannot write " + path.string() + ": it is a folder");
  if (::access(folder.c_str(), W_OK) != 0)
    return std::unexpected("cannot write " + path.string() + ": " + std::strerror(errno));
  return {};
}

}  // namespace mratls::config
