// Values a customer masked before sending a log: "xxx.xxx.xxx.xxx", "fxxxxxxx-86f6-…",
// "cucm.xxxxxx.lab", "<CONCEALED>", "[REDACTED]". A masked value is unknown, never a wrong value
// nor a garbled line; a masked name still matches the name it hides where the log shows it
// elsewhere (the MRA path's base64, which customers leave as it is). Pure.
#pragma once

#include <string_view>

namespace mratls::scan {

// Whether any part of `value` is masked.
bool is_masked(std::string_view value);

// An IPv4 address with masked octets ("xxx.xxx.xxx.xxx", "xx.xx.97.131").
bool is_masked_ip(std::string_view value);

// The same name, either of them masked: case-insensitive, label by label; a label of x's
// stands for any label, and a run of three or more x's inside a label for any run of characters.
bool same_name(std::string_view a, std::string_view b);

}  // namespace mratls::scan
