#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mratls::mra {

// Standard or URL-safe alphabet, padding optional; nullopt on any other character, a length
// that no encoding produces, or padding in the wrong place.
std::optional<std::string> base64_decode(std::string_view text);
// Standard alphabet without '=' padding, as MRA clients write path segments.
std::string base64_encode_unpadded(std::string_view bytes);

}  // namespace mratls::mra
