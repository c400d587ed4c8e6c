// Text as the field brings it: an entry pasted from a note, a PDF or an e-mail is wrapped, and a
// wrap either took the place of a space or fell inside a word or a value. Which one it was is
// known only to the field that holds it (a request target never holds a space, a Detail often
// does), so an entry's lines are joined keeping the doubtful breaks as kBreak, and each field
// resolves them. Pure functions over strings.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mratls::scan::wrapped {

// A line break that touched no whitespace: a lost space, or a wrap inside a word.
inline constexpr char kBreak = '\n';

// Physical lines ('\n' between them) as one text: a break with whitespace on either side becomes
// one space; any other break stays kBreak. Trailing '\r' and whitespace go.
std::string join(std::string_view lines);

// An identifier, address, number or URL: no spaces inside, so every break was inside it.
std::string ident(std::string_view text);

// Words: a break was a space, except right after a hyphen ("self-" / "signed").
std::string words(std::string_view text);

// Where `phrase` occurs in `text` from `from` on: breaks inside the text are skipped, and a space
// of the phrase matches a space or a break. [begin, end) in `text`.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};
std::optional<Span> find(std::string_view text, std::string_view phrase, std::size_t from = 0);
// Whether `text` reads `phrase` at `at`, the same way; the end of the match.
std::optional<std::size_t> match_at(std::string_view text, std::size_t at, std::string_view phrase);

// A request line however it was wrapped: "GET<break>http://h:8443/c3Rl<break>bQ/cucm-<break>uds/x HTTP/1.1".
// The method is its leading capitals, the version the first "HTTP/d.d" after them, the target
// everything between with every space and break taken out. Empty when it is not a request line.
struct RequestLine {
  std::string method;
  std::string target;
  std::string version;
  std::string_view rest;  // what follows the version (headers of a flattened block)
};
std::optional<RequestLine> request_line(std::string_view text);

// "HTTP/1.1 502 connect failed": the status, 0 when it is not a status line.
int status_of(std::string_view text);

}  // namespace mratls::scan::wrapped
