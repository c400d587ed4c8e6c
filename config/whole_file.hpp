// Outputs are all or nothing: a file is written under a temporary name beside it, then renamed
// over the target, so that a crash or a full disk never leaves half a report, and a run that
// fails before writing leaves nothing behind.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace mratls::config {

// The bytes, whole, at `path`; an error names the file and why. `secret` (a private key): readable
// by its owner only. A file replaced keeps its mode.
std::expected<void, std::string> write_whole_file(const std::filesystem::path& path, std::string_view bytes, bool secret = false);

// Whether a file could be created at `path` (its folder exists and is writable), asked without
// creating anything: checked before long work, so that the work is not lost at the end.
std::expected<void, std::string> can_create(const std::filesystem::path& path);

}  // namespace mratls::config
