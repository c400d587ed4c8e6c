// One entry of an Expressway diagnostic log (log_entry.hpp), parsed into values: the
// traffic_server entries scan correlates, told apart from those it sets aside (Expressway-E's
// traffic server, other modules, other programs) and from those too broken to read. Reads INFO
// entries (Msg=) and DEBUG ones (their HTTPMSG block), wrapped or not, spaces lost or not,
// values masked or not (masked.hpp). Pure: text in, record out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mratls::scan {

enum class RecordKind {
  Http,          // Receive Request / Sending Request / Receive Response / Sending Response
  Access,        // Event="Request Allowed" / "Request Denied"
  Warning,       // [ET_NET n] WARNING: ...
  Error,         // [ET_NET n] ERROR: ...
  OtherTraffic,  // a traffic_server entry of another kind (NOTE, STATUS, another Detail or Event)
  OtherModule,   // a traffic_server entry of another module than network.http.trafficserver
  ExpresswayE,   // Expressway-E's traffic server: its own error answers, "Server: CE_E"
  Foreign,       // another program's entry
  Garbled,       // looks like traffic_server but cannot be read
};

struct LogRecord {
  RecordKind kind = RecordKind::Foreign;
  std::int64_t time_ms = 0;  // UTC milliseconds since the epoch; 0 when the entry has no timestamp
  std::string time_text;     // as written
  std::string host;
  std::string program;
  int pid = 0;
  // Http
  std::string detail;  // "Receive Request", ...
  std::string level;   // "INFO", "DEBUG"
  std::string txn_id;
  std::string ip;  // Src-ip of a Receive, Dst-ip of a Sending; empty when masked
  int port = 0;
  std::string message;      // the request or status line, on one line: Msg, or the HTTPMSG block's first line
  std::string header_host;  // a DEBUG block's Host header ("cucm.steven.lab:6972"), when shown
  bool from_block = false;  // the message came from an HTTPMSG block
  // Access
  bool allowed = false;
  std::string request_url;
  std::string username;   // Username=: the user the request was made for
  std::string rule_type;  // Type=: which allow-list rule ("Automatically generated rule for CUCM TFTP server")
  // ExpresswayE: an error answer of its own (Event="Sending HTTP error response" Status="403" Reason="Forbidden")
  int status = 0;
  std::string reason;
  // Warning / Error
  int thread = -1;           // n of [ET_NET n]
  std::string text;          // after "WARNING: " / "ERROR: ", in the appliance's form
  std::string name;          // the origin the line names (the checked name, or the ERROR's quoted one)
  std::string server;        // a WARNING's server=<host>
  std::string server_ip;     // and its (<ip>), empty when masked
  bool terminate = false;    // the line ends the connection (Action=Terminate, an ERROR)
  bool proceed = false;      // Action=Continue
  std::string line;  // the entry on one line, its wraps resolved: what evidence shows
};

// "2022-07-11T18:55:25.910+02:00" → UTC milliseconds.
std::optional<std::int64_t> parse_syslog_time(std::string_view text);

// An entry's physical lines, '\n' between them (taken: an entry of one line becomes the record's line).
LogRecord parse_entry(std::string entry);
inline LogRecord parse_line(std::string_view line) { return parse_entry(std::string(line)); }

}  // namespace mratls::scan
