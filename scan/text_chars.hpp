// The character classes the log reader's pieces share. Pure.
#pragma once

#include "scan/wrapped_text.hpp"

namespace mratls::scan {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
// Whitespace on one line.
inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
// Whitespace in joined text, a soft break included.
inline bool is_gap(char c) { return c == ' ' || c == '\t' || c == wrapped::kBreak; }

}  // namespace mratls::scan
