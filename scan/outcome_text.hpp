// The one place where the traffic server's text is mapped back to typed outcomes: scan reads
// only what the appliance wrote, so it recovers the outcome from the lines of a failed request.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verify/fix_catalogue.hpp"
#include "verify/outcome.hpp"

namespace mratls::scan {

// The outcome one line states, if any: a Core server verification line, an SNI line, a refused
// client certificate, a denial, a failed connect or a timeout (an SSL ERROR line alone is not
// enough: it follows most of the others).
std::optional<verify::Outcome> outcome_of_line(std::string_view line);

// The outcome of a failed request from its WARNING/ERROR/denial lines, in order: the first line
// that states one, else the SSL ERROR line's text as a handshake failure.
std::optional<verify::Outcome> outcome_of(const std::vector<std::string>& lines);

// Every outcome the lines state, in their order, each once (a retried attempt writes its lines
// again): under log-only a chain's every error and the name each have their line; under On only
// the first was written. Else the SSL ERROR line's text, as outcome_of.
std::vector<verify::Outcome> outcomes_of(const std::vector<std::string>& lines);

// WARNING/ERROR lines that state no cause mratls knows: a finding all the same, which says what
// the traffic server wrote.
verify::Outcome unrecognised_lines(const std::vector<std::string>& lines);

// What Expressway-E answering a client itself with `status` means, and where to look.
std::string edge_answer_meaning(int status);

}  // namespace mratls::scan
