// Whether the lab failed as the site did: the same status and the same WARNING/ERROR texts,
// names and depths. What a run cannot share with the site is left out of the comparison: the
// syslog prefix (time, system, pid), the event thread and the addresses in parentheses. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mratls::replay {

// The part of a WARNING/ERROR or denial line that a reproduction must match.
std::string comparable(std::string_view line);

struct Comparison {
  bool reproduced = false;
  std::string reason;  // when not: what differs, in one sentence
};

Comparison compare(int site_status, const std::vector<std::string>& site_lines, int lab_status,
                   const std::vector<std::string>& lab_lines);

}  // namespace mratls::replay
