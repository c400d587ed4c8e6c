// The YAML configuration loader on arbitrary text: a clear ConfigError, never a crash or an
// exception escaping.
#include <string>

#include "config/load.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = mratls::config::load_config_text(text, "fuzz.yaml", "/nonexistent");
  if (!config) MRATLS_FUZZ_CHECK(!config.error().to_string().empty());
  return 0;
}
