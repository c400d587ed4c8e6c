// The event-thread lines of the traffic server ("[ET_NET 0] WARNING: …", "[ET_NET 1]ERROR:SSL …")
// read however they were wrapped or pasted, and put back in the one form the appliance writes:
// the form every reader of the lines (outcome_text.cpp, the replay's comparison) knows. Only
// what the line states is kept: a note's prose after it is not part of it. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mratls::scan {

struct ThreadLine {
  int thread = -1;     // n of [ET_NET n]; -1 when the line names no event thread
  std::string level;   // "WARNING", "ERROR", "NOTE", …
  std::string text;    // after "LEVEL: ", in the appliance's form
  std::string name;    // the origin it names: the checked name of a WARNING, the quoted one of an ERROR
  std::string server;  // a WARNING's server=<host>, the host from the MRA path
  std::string ip;      // and its (<ip>), empty when masked
  bool terminate = false;  // Action=Terminate (an ERROR ends the connection too)
  bool proceed = false;    // Action=Continue
};

// `body` is what follows "traffic_server[pid]:", joined (wrapped_text.hpp). nullopt when it is no such line.
std::optional<ThreadLine> parse_thread_line(std::string_view body);

// "[ET_NET 0] WARNING: <text>", as the log writes it.
std::string thread_line_text(const ThreadLine& line);

}  // namespace mratls::scan
