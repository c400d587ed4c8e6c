#include "config/whole_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mratls::config {

namespace fs = std::filesystem;

std::expected<void, std::string> write_whole_file(const fs::path& path, std::string_view bytes, bool secret) {
  fs::path temporary = path;
  temporary += ".mratls-" + std::to_string(::getpid()) + ".tmp";
  const auto failed = [&](int error) {
    ::unlink(temporary.c_str());
    return std::unexpected("cannot write " + path.string() + ": " + std::strerror(error));
  };
  // A key is readable by its owner only; a file replaced keeps the mode it had.
  mode_t mode = secret ? 0600 : 0666;  // a new file: then less the umask
  bool replacing = false;
  if (struct stat was{}; ::stat(path.c_str(), &was) == 0) {
    mode = was.st_mode & 07777;
    replacing = true;
  }
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return std::unexpected("cannot write " + path.string() + ": " + std::strerror(errno));
  // No fsync: the rename is what keeps a crashed process from leaving half a file, and the lab
  // writes many small ones.
  for (std::size_t done = 0; done < bytes.size();) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      return failed(error);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool moded = !replacing || ::fchmod(fd, mode) == 0;
  const int mode_error = errno;
  if (::close(fd) != 0) return failed(errno);
  if (!moded) return failed(mode_error);
  if (::rename(temporary.c_str(), path.c_str()) != 0) return failed(errno);
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
