// Generated keys kept between processes, for the test suite (MRATLS_KEY_CACHE).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

#include "verify/ossl.hpp"

namespace mratls::lab {

// This program's folder below the one MRATLS_KEY_CACHE names; nullopt when that is unset or
// empty (a user's lab: every key is made fresh).
std::optional<std::filesystem::path> key_cache_folder();

// This process's next key of the kind `kind` (say "rsa2048") from `folder`: the n-th one it
// asks for is the n-th kept there when the folder holds it and `fits` accepts it, else whatever
// `make` returns, which is then kept for the next process. Two keys of one process are never
// the same key. Processes of one program do share keys by rank: the n-th key of every run is
// the same, and only the time to make it (a tenth of a second to seconds for RSA) is saved.
// The folder is a cache: when it cannot be read or written, the key is simply made.
ossl::PKeyPtr cached_key(const std::filesystem::path& folder, std::string_view kind,
                         const std::function<bool(EVP_PKEY*)>& fits, const std::function<ossl::PKeyPtr()>& make);

}  // namespace mratls::lab
