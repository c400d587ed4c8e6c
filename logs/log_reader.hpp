// Streams the lines of diagnostic logs: plain text, .gz, or a snapshot archive (.tar.gz and
// whatever else libarchive reads) holding several logs. Memory stays bounded by the longest
// line, whatever the size of the input.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mratls::logs {

struct ReadStats {
  std::vector<std::string> members;  // the text files read ("data" for a single file)
  std::vector<std::string> skipped;  // archive members that are not text, with why
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;
};

using LineSink = std::function<void(std::string_view line, const std::string& member)>;

// Errors name the file (and member) at fault: unreadable, not an archive or text, binary data.
std::expected<ReadStats, std::string> read_log_lines(const std::string& path, const LineSink& sink);

}  // namespace mratls::logs
