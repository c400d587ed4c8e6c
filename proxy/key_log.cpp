#include "proxy/key_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace mratls::proxy {
namespace {

// The index under which each origin SSL_CTX keeps its KeyLog (OpenSSL's callback gets only the
// SSL). Allocated once, before any event thread runs a handshake.
int context_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void on_keylog_line(const SSL* ssl, const char* line) {
  const auto* keylog = static_cast<const KeyLog*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
  if (keylog) keylog->write(line);
}

}  // namespace

std::expected<std::shared_ptr<KeyLog>, std::string> KeyLog::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(path + ": cannot open the key log file: " + std::strerror(errno));
  return std::make_shared<KeyLog>(Opened{}, fd, path);
}

KeyLog::~KeyLog() { ::close(fd_); }

void KeyLog::attach(SSL_CTX* ctx) {
  SSL_CTX_set_ex_data(ctx, context_index(), this);
  SSL_CTX_set_keylog_callback(ctx, on_keylog_line);
}

void KeyLog::write(std::string_view line) const {
  std::string whole(line);
  whole.push_back('\n');
  // O_APPEND makes each write land whole at the end; a short write to a full disk loses the line.
  [[maybe_unused]] const auto written = ::write(fd_, whole.data(), whole.size());
}

std::string keylog_path(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* env = std::getenv("SSLKEYLOGFILE");
  return env ? env : "";
}

std::string keylog_warning(const std::string& path) {
  return "WARNING: writing the TLS keys of every origin connection to " + path +
         ": anyone with that file can decrypt captures of this traffic (log.keylog_file / SSLKEYLOGFILE)";
}

}  // namespace mratls::proxy
