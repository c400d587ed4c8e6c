#include "scan/log_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "scan/capture/capture_file.hpp"
#include "scan/log_entry.hpp"
#include "scan/log_record.hpp"

namespace mratls::scan {
namespace {

struct ArchiveFree {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// Text logs hold no NUL and few control bytes; anything else is not a log.
bool looks_binary(std::string_view chunk) {
  std::size_t control = 0;
  for (unsigned char c : chunk) {
    if (c == 0) return true;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') ++control;
  }
  return control * 20 > chunk.size();
}

// A line longer than any entry scan keeps is read up to there: the rest of it is never held
// (one line of hundreds of megabytes, gzipped to a few, would otherwise be held whole).
constexpr std::size_t kMaxLine = EntryAssembler::kMaxEntryBytes + 1;

void keep_within(std::string& partial, std::string_view more) {
  if (partial.size() < kMaxLine) partial.append(more.substr(0, kMaxLine - partial.size()));
}

}  // namespace

std::expected<ReadStats, std::string> read_log_lines(const std::string& path, const LineSink& sink,
                                                     const std::string& only_member) {
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    return std::unexpected(path + ": " + archive_error_string(a.get()));

  ReadStats stats;
  archive_entry* entry = nullptr;
  std::vector<char> buf(1 << 16);
  std::string partial;
  for (;;) {
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return std::unexpected(path + ": " + archive_error_string(a.get()));
    const bool raw = archive_format(a.get()) == ARCHIVE_FORMAT_RAW;
    if (!raw && archive_entry_filetype(entry) != AE_IFREG) continue;
    const std::string member = raw ? std::string(path) : path + ":" + archive_entry_pathname(entry);
    if (!only_member.empty() && member != only_member) continue;
    bool binary = false;
    bool first_chunk = true;
    partial.clear();
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n < 0) return std::unexpected(member + ": " + archive_error_string(a.get()));
      if (n == 0) break;
      std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
      if (first_chunk && looks_binary(chunk.substr(0, 4096))) {
        binary = true;
        break;
      }
      first_chunk = false;
      stats.bytes += static_cast<std::uint64_t>(n);
      std::size_t start = 0;
      for (std::size_t nl; (nl = chunk.find('\n', start)) != std::string_view::npos; start = nl + 1) {
        auto piece = chunk.substr(start, nl - start);
        if (!partial.empty()) {
          keep_within(partial, piece);
          piece = partial;
        }
        if (piece.size() > kMaxLine) piece = piece.substr(0, kMaxLine);
        if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
        sink(piece, member);
        ++stats.lines;
        partial.clear();
      }
      keep_within(partial, chunk.substr(start));
    }
    if (binary) {
      if (raw) return std::unexpected(path + ": not a text log or a log archive (binary data)");
      const bool capture = capture::looks_like_capture(std::span(reinterpret_cast<const std::uint8_t*>(buf.data()), 4));
      stats.skipped.push_back(member + (capture ? ": a packet capture (read as one)" : ": not text"));
      continue;
    }
    if (!partial.empty()) {
      sink(partial, member);
      ++stats.lines;
    }
    stats.members.push_back(member);
  }
  if (stats.members.empty() && stats.skipped.empty()) return std::unexpected(path + ": empty, or no log inside");
  return stats;
}

std::expected<std::vector<MemberStart>, std::string> member_starts(const std::string& path) {
  std::vector<MemberStart> out;
  std::string current;
  auto read = read_log_lines(path, [&](std::string_view line, const std::string& member) {
    if (out.empty() || out.back().member != member) out.push_back({path, member, 0});
    if (out.back().first_ms != 0) return;
    auto marker = line.find(" traffic_server[");
    auto space = line.find(' ');
    if (marker == std::string_view::npos || space == std::string_view::npos || space > marker) return;
    if (auto t = parse_syslog_time(line.substr(0, space))) out.back().first_ms = *t;
  });
  if (!read) return std::unexpected(read.error());
  return out;
}

}  // namespace mratls::scan
