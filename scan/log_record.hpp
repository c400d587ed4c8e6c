// One traffic_server line of an Expressway diagnostic log, parsed into values. Pure: text in,
// record out. Lines of other programs, and lines too garbled to read, are told apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mratls::scan {

enum class RecordKind {
  Http,       // Receive Request / Sending Request / Receive Response / Sending Response
  Access,     // Event="Request Allowed" / "Request Denied"
  Warning,    // [ET_NET n] WARNING: ...
  Error,      // [ET_NET n] ERROR: ...
  OtherTraffic,  // a traffic_server line of another kind
  Foreign,    // another program's line
  Garbled,    // looks like traffic_server but cannot be read
};

struct LogRecord {
  RecordKind kind = RecordKind::Foreign;
  std::int64_t time_ms = 0;  // UTC milliseconds since the epoch, from the syslog timestamp
  std::string time_text;     // as written
  std::string host;
  int pid = 0;
  // Http
  std::string detail;  // "Receive Request", ...
  std::string txn_id;
  std::string tracking_id;
  std::string ip;
  int port = 0;
  std::string message;  // Msg, or the first line of HTTPMSG
  bool debug_block = false;  // HTTPMSG: |... continues on the next lines until a lone "|"
  // Access
  bool allowed = false;
  std::string request_url;
  std::string username;   // Username=: the user the request was made for
  std::string rule_type;  // Type=: which allow-list rule ("Automatically generated rule for CUCM TFTP server")
  // Warning / Error
  std::string text;  // after "WARNING: " / "ERROR: "
  std::string line;  // the whole line, for evidence
};

// "2022-07-11T18:55:25.910+02:00" → UTC milliseconds.
std::optional<std::int64_t> parse_syslog_time(std::string_view text);

LogRecord parse_line(std::string_view line);

}  // namespace mratls::scan
