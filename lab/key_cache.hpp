// Generated keys kept between processes, for the test suite (MRATLS_KEY_CACHE).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

#include "verify/ossl.hpp"

namespace mratls::lab {

// The folder MRATLS_KEY_CACHE names; nullopt when it is unset or empty (a user's lab: every
// key is made fresh).
std::optional<std::filesystem::path> key_cache_folder();

// This process's next key of the kind `kind` (say "rsa2048"): the n-th one it asks for is the
// n-th kept in `folder` when the folder holds it, else whatever `make` returns, which is then
// kept there for the next process. Two keys of one process are never the same key; only the
// time to make them (a tenth of a second to seconds for RSA) is saved between processes.
// The folder is a cache: when it cannot be read or written, the key is simply made.
ossl::PKeyPtr cached_key(const std::filesystem::path& folder, std::string_view kind,
                         const std::function<ossl::PKeyPtr()>& make);

}  // namespace mratls::lab
