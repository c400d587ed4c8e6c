// NSS key log lines (the SSLKEYLOGFILE format curl and browsers write) for every origin TLS
// connection, so that a capture of the proxy's traffic to CUCM decrypts in Wireshark, TLS 1.3
// included. Off unless log.keylog_file or SSLKEYLOGFILE names a file.
#pragma once

#include <openssl/ssl.h>

#include <expected>
#include <memory>
#include <string>
#include <string_view>

namespace mratls::proxy {

class KeyLog {
 public:
  // Opens (creates, mode 0600) the file for appending; the error names it.
  static std::expected<std::shared_ptr<KeyLog>, std::string> open(const std::string& path);
  struct Opened {  // only open() can make one
    explicit Opened() = default;
  };
  KeyLog(Opened, int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~KeyLog();
  KeyLog(const KeyLog&) = delete;
  KeyLog& operator=(const KeyLog&) = delete;

  // Every handshake made with `ctx` from now on writes its lines here. The context must not
  // outlive this object.
  void attach(SSL_CTX* ctx);
  // One line, written whole with a single append so that threads never interleave.
  void write(std::string_view line) const;
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

// The file to write, if any: the configuration's log.keylog_file, else SSLKEYLOGFILE.
std::string keylog_path(const std::string& configured);

// The line every command prints at start when keys are being written.
std::string keylog_warning(const std::string& path);

}  // namespace mratls::proxy
