// Streams the lines of diagnostic logs: plain text, .gz, or a snapshot archive (.tar.gz and
// whatever else libarchive reads) holding several logs. Memory stays bounded whatever the size
// of the input: a line is read up to 64 KiB and the rest of it passed over.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mratls::scan {

struct ReadStats {
  std::vector<std::string> members;  // the text files read ("data" for a single file)
  std::vector<std::string> skipped;  // archive members that are not text, with why
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;
};

using LineSink = std::function<void(std::string_view line, const std::string& member)>;

// Errors name the file (and member) at fault: unreadable, not an archive or text, binary data.
// With `only_member`, just that member ("path" or "path:name", as sink receives it) is read.
std::expected<ReadStats, std::string> read_log_lines(const std::string& path, const LineSink& sink,
                                                     const std::string& only_member = "");

// Every text member of `path` with the time of its first traffic_server line (UTC ms; members
// without one come first), so that rotated logs can be read oldest first as one stream.
struct MemberStart {
  std::string path;
  std::string member;
  std::int64_t first_ms = 0;
};
std::expected<std::vector<MemberStart>, std::string> member_starts(const std::string& path);

}  // namespace mratls::scan
