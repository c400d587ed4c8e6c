#include "scan/capture/archive_captures.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace mratls::scan::capture {
namespace {

struct ArchiveFree {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// libpcap reads from a stdio stream: this one serves the bytes already peeked at, then the
// rest of the archive member as libarchive decompresses it.
struct MemberStream {
  archive* a;
  std::string head;
  std::size_t head_at = 0;
};

ssize_t read_member(void* cookie, char* out, std::size_t size) {
  auto* s = static_cast<MemberStream*>(cookie);
  if (s->head_at < s->head.size()) {
    const auto n = std::min(size, s->head.size() - s->head_at);
    std::memcpy(out, s->head.data() + s->head_at, n);
    s->head_at += n;
    return static_cast<ssize_t>(n);
  }
  const auto n = archive_read_data(s->a, out, size);
  return n < 0 ? -1 : static_cast<ssize_t>(n);
}

int close_member(void*) { return 0; }  // the archive is closed by its owner

CaptureScan scan_frames(const std::string& name, CaptureRead read, ConnectionTable& table, std::uint64_t segments) {
  return {{name, std::move(read), segments}, table.handshakes(), table.connections_not_read()};
}

}  // namespace

std::expected<CaptureScan, std::string> read_capture_scan(const std::string& path) {
  ConnectionTable table;
  auto added = add_capture_file(path, table);
  if (!added) return std::unexpected(added.error());
  return scan_frames(path, added->read, table, added->tcp_segments);
}

std::expected<ArchiveCaptures, std::string> read_archive_captures(const std::string& path) {
  ArchiveCaptures out;
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) return out;
  archive_entry* entry = nullptr;
  for (;;) {
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return out;  // the log reader names the fault
    const bool raw = archive_format(a.get()) == ARCHIVE_FORMAT_RAW;
    if (!raw && archive_entry_filetype(entry) != AE_IFREG) continue;
    MemberStream stream{a.get(), std::string(4, '\0')};
    const auto n = archive_read_data(a.get(), stream.head.data(), stream.head.size());
    if (n < 4 || !looks_like_capture(std::span(reinterpret_cast<const std::uint8_t*>(stream.head.data()), 4))) continue;
    const std::string name = raw ? path : path + ":" + archive_entry_pathname(entry);
    std::FILE* file = fopencookie(&stream, "r", cookie_io_functions_t{read_member, nullptr, nullptr, close_member});
    if (!file) return std::unexpected(name + ": cannot read the member");
    ConnectionTable table;
    std::uint64_t segments = 0;
    auto read = read_capture(file, name, [&](const Frame& frame) {
      if (auto segment = decode_packet(frame.link_type, frame.bytes)) {
        ++segments;
        table.add(*segment, frame.time_us);
      }
    });
    if (!read) return std::unexpected(read.error());
    out.captures.push_back(scan_frames(name, std::move(*read), table, segments));
    out.whole_file_is_capture = raw;
  }
  return out;
}

}  // namespace mratls::scan::capture
