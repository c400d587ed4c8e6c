#pragma once

#include <expected>
#include <string>

#include "config/config.hpp"

namespace mratls::config {

// A configuration error names the file, the line and the key at fault.
struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when the error concerns the whole file
  std::string key;
  std::string message;
  std::string to_string() const;
};

// `error` about a file the configuration names ("<path>: …"), prefixed with where the
// configuration names it; unchanged otherwise.
std::string located(const Config& config, const std::string& error);

// Reads and validates a YAML file. Relative certificate paths are taken from the file's folder.
std::expected<Config, ConfigError> load_config_file(const std::string& path);

// The same from text; `name` stands for the file in messages and `base_dir` anchors paths.
std::expected<Config, ConfigError> load_config_text(const std::string& text, const std::string& name,
                                                    const std::string& base_dir);

}  // namespace mratls::config
