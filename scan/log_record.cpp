#include "scan/log_record.hpp"

#include <charconv>
#include <chrono>

#include "logs/line_format.hpp"
#include "scan/http_block.hpp"
#include "scan/kv_fields.hpp"
#include "scan/masked.hpp"
#include "scan/text_chars.hpp"
#include "scan/thread_line.hpp"
#include "scan/wrapped_text.hpp"

namespace mratls::scan {
namespace {

using wrapped::kBreak;

bool digits(std::string_view s, std::size_t from, std::size_t count, int& out) {
  if (from + count > s.size()) return false;
  out = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::string_view next_token(std::string_view& s) {
  while (!s.empty() && is_gap(s.front())) s.remove_prefix(1);
  std::size_t end = 0;
  while (end < s.size() && !is_gap(s[end])) ++end;
  auto token = s.substr(0, end);
  s.remove_prefix(end);
  return token;
}

// "traffic_server[18242]:" (the body may follow at once), "edgeconfigprovisioning:", or a bare
// program name; false when the body starts here (an entry without a program).
bool take_program(std::string_view& s, LogRecord& r) {
  while (!s.empty() && is_gap(s.front())) s.remove_prefix(1);
  std::size_t i = 0;
  while (i < s.size() && !is_gap(s[i]) && s[i] != '[' && s[i] != ':' && s[i] != '=' && s[i] != '"') ++i;
  if (i == 0 || i >= s.size()) return false;
  if (s[i] == '[') {
    const auto close = s.find(']', i);
    if (close == std::string_view::npos) return false;
    const auto pid = s.substr(i + 1, close - i - 1);
    if (std::from_chars(pid.data(), pid.data() + pid.size(), r.pid).ptr != pid.data() + pid.size() || pid.empty()) return false;
    r.program = std::string(s.substr(0, i));
    s.remove_prefix(close + 1);
    if (!s.empty() && s.front() == ':') s.remove_prefix(1);
    return true;
  }
  if (s[i] == ':' || is_gap(s[i])) {
    r.program = std::string(s.substr(0, i));
    s.remove_prefix(i + (s[i] == ':' ? 1 : 0));
    return true;
  }
  return false;
}

bool is_http_detail(std::string_view d) {
  return d == logs::words::kReceiveRequest || d == "Sending Request" || d == "Receive Response" ||
         d == logs::words::kSendingResponse;
}

void parse_http(const KvFields& f, std::string_view block_text, bool has_block, LogRecord& r) {
  r.detail = f.words("Detail");
  r.level = f.ident("Level");
  if (!is_http_detail(r.detail)) {
    r.kind = RecordKind::OtherTraffic;
    return;
  }
  r.txn_id = f.ident("Txn-id");
  const bool receive = r.detail.starts_with("Receive");
  const bool request = r.detail.ends_with("Request");
  r.ip = f.ident(receive ? "Src-ip" : "Dst-ip");
  if (is_masked(r.ip)) r.ip.clear();
  const auto port = f.ident(receive ? "Src-port" : "Dst-port");
  std::from_chars(port.data(), port.data() + port.size(), r.port);
  if (r.port < 1 || r.port > 65535) r.port = 0;
  if (auto msg = f.raw("Msg")) {
    // Unwrapped, the message is already in the appliance's form.
    auto line = request && msg->find(kBreak) != std::string_view::npos ? wrapped::request_line(*msg) : std::nullopt;
    r.message = line ? line->method + " " + line->target + " " + line->version : wrapped::words(*msg);
  }
  if (has_block) {
    const auto block = parse_http_block(block_text);
    if (r.message.empty()) r.message = block.start_line, r.from_block = true;
    r.header_host = block.host;
    if (block.server.starts_with("CE_E")) {
      r.kind = RecordKind::ExpresswayE;
      return;
    }
  }
  // A note may misprint the key ("Msq="): a request line is known by what it is.
  if (r.message.empty() && request)
    for (const auto& [key, value] : f.all())
      if (auto line = wrapped::request_line(value)) {
        r.message = line->method + " " + line->target + " " + line->version;
        break;
      }
  r.kind = r.txn_id.empty() || is_masked(r.txn_id) ? RecordKind::Garbled : RecordKind::Http;
}

void parse_access(const KvFields& f, LogRecord& r) {
  const auto event = f.words("Event");
  if (event == "Sending HTTP error response") {
    r.kind = RecordKind::ExpresswayE;
    const auto status = f.ident("Status");
    std::from_chars(status.data(), status.data() + status.size(), r.status);
    r.reason = f.words("Reason");
    return;
  }
  if (event != "Request Allowed" && event != "Request Denied") {
    r.kind = RecordKind::OtherTraffic;
    return;
  }
  r.kind = RecordKind::Access;
  r.allowed = event == "Request Allowed";
  r.request_url = f.ident("Request");
  r.rule_type = f.words("Type");
  r.username = f.ident("Username");
  if (r.request_url.empty()) r.kind = RecordKind::Garbled;
}

// The fields that hold no spaces: a wrap inside them was inside the value.
bool identifier_key(std::string_view key) {
  for (std::string_view k : {"Txn-id", "TrackingID", "Src-ip", "Src-port", "Dst-ip", "Dst-port", "Last-via-addr", "Username",
                             "Deployment", "Method", "Request", "Rule", "Match", "Status"})
    if (KvFields::key_is(key, k)) return true;
  return false;
}

// The entry on one line as the appliance writes it, its wraps resolved field by field.
std::string canonical_line(const LogRecord& r, const KvFields& f) {
  std::string out = (r.time_text.empty() ? "" : r.time_text + " ") + r.host + " " + r.program + "[" + std::to_string(r.pid) + "]:";
  for (const auto& [key, value] : f.all()) {
    out += ' ';
    out += wrapped::ident(key);
    out += "=\"";
    if (auto line = wrapped::request_line(value)) out += line->method + " " + line->target + " " + line->version;
    else out += identifier_key(key) ? wrapped::ident(value) : wrapped::words(value);
    out += '"';
    if (KvFields::key_is(key, "Level")) out += ':';
  }
  return out;
}

// Where the HTTPMSG block starts: the word on its own, outside the fields' quotes (a Msg value may
// hold the word).
std::size_t block_start(std::string_view entry) {
  static constexpr std::string_view kMarker = "HTTPMSG:";
  std::size_t counted = 0;
  bool quoted = false;
  for (auto at = entry.find(kMarker); at != std::string_view::npos; at = entry.find(kMarker, at + 1)) {
    for (auto q = entry.find('"', counted); q != std::string_view::npos && q < at; q = entry.find('"', q + 1))
      if (q == 0 || entry[q - 1] != '\\') quoted = !quoted;
    counted = at;
    if (!quoted && (at == 0 || is_gap(entry[at - 1]) || entry[at - 1] == '\r')) return at;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::int64_t> parse_syslog_time(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS.mmm+HH:MM (the milliseconds and the offset may be missing; Z is UTC)
  int y, mo, d, h, mi, s, ms = 0;
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':') return std::nullopt;
  if (!digits(t, 0, 4, y) || !digits(t, 5, 2, mo) || !digits(t, 8, 2, d) || !digits(t, 11, 2, h) || !digits(t, 14, 2, mi) ||
      !digits(t, 17, 2, s))
    return std::nullopt;
  std::size_t pos = 19;
  if (pos < t.size() && (t[pos] == '.' || t[pos] == ',')) {
    if (!digits(t, pos + 1, 3, ms)) return std::nullopt;
    pos += 4;
  }
  int offset_min = 0;
  if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh, om;
    if (!digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' || !digits(t, pos + 4, 2, om)) return std::nullopt;
    offset_min = (t[pos] == '-' ? -1 : 1) * (oh * 60 + om);
  }
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms} - minutes{offset_min};
  return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

namespace {
void parse_into(LogRecord& r, std::string_view entry);
}  // namespace

LogRecord parse_entry(std::string raw) {
  LogRecord r;
  parse_into(r, raw);
  // An entry of one line is its own line as evidence shows it: moved in, not copied.
  if (r.line.empty()) r.line = std::move(raw);
  return r;
}

namespace {

// Reads `entry` into `r`; r.line is left empty where the entry is its own line.
void parse_into(LogRecord& r, std::string_view entry) {
  // The HTTPMSG block is read line by line; everything before it is joined.
  const auto block_at = block_start(entry);
  const bool has_block = block_at != std::string_view::npos;
  // An entry of one line, as the appliance's own file has them, needs no joining.
  const auto head_lines = entry.substr(0, block_at);
  const bool wrapped_head = head_lines.find('\n') != std::string_view::npos;
  const std::string joined = wrapped_head ? wrapped::join(head_lines) : std::string();
  const std::string_view head = wrapped_head ? std::string_view(joined) : head_lines;
  const std::string_view block_text = has_block ? entry.substr(block_at + 8) : std::string_view{};
  std::string_view s = head;

  // "<time> <host> <program>[pid]: <body>", or "<host> <program>[pid]: <body>" as some notes print it.
  const bool timed = s.size() > 10 && s[4] == '-' && s[10] == 'T';
  bool time_ok = true;
  if (timed) {
    r.time_text = std::string(next_token(s));
    auto time = parse_syslog_time(r.time_text);
    time_ok = time.has_value();
    r.time_ms = time.value_or(0);
  }
  r.host = std::string(next_token(s));
  const bool program = take_program(s, r);
  // The entry on one line: a wrapped one joined; one of a single line is its own (parse_entry).
  if (wrapped_head || has_block) r.line = wrapped_head ? wrapped::words(head) : std::string(head);
  if (!program || r.program != "traffic_server") {
    r.kind = RecordKind::Foreign;
    return;
  }
  if (!time_ok) {
    r.kind = RecordKind::Garbled;
    return;
  }
  const std::string_view body = s;
  std::string_view first = body;
  while (!first.empty() && is_gap(first.front())) first.remove_prefix(1);

  if (!first.empty() && (first.front() == '[' || first.starts_with("WARNING") || first.starts_with("ERROR"))) {
    auto thread = parse_thread_line(first);
    if (!thread) {
      // A warning or an error however broken is one: never passed over as garbled.
      const bool warning = wrapped::find(first, "WARNING").has_value();
      const bool error = !warning && wrapped::find(first, "ERROR").has_value();
      r.kind = warning ? RecordKind::Warning : error ? RecordKind::Error : RecordKind::Garbled;
      r.text = wrapped::words(first);
      r.terminate = error;
      return;
    }
    const bool error_level = thread->level == "ERROR" || thread->level == "FATAL" || thread->level == "ALERT" ||
                             thread->level == "EMERGENCY";
    r.kind = thread->level == "WARNING" ? RecordKind::Warning : error_level ? RecordKind::Error : RecordKind::OtherTraffic;
    r.thread = thread->thread;
    r.text = thread->text;
    r.name = thread->name;
    r.server = thread->server;
    r.server_ip = thread->ip;
    r.terminate = thread->terminate;
    r.proceed = thread->proceed;
    r.line = (r.time_text.empty() ? "" : r.time_text + " ") + r.host + " traffic_server[" + std::to_string(r.pid) + "]: " +
             thread_line_text(*thread);
    return;
  }
  const KvFields fields(body);
  if (wrapped_head) r.line = canonical_line(r, fields);
  if (fields.has("Event")) {
    parse_access(fields, r);
    return;
  }
  if (!fields.has("Module")) {
    r.kind = RecordKind::OtherTraffic;
    return;
  }
  if (!KvFields::key_is(*fields.raw("Module"), "network.http.trafficserver")) {
    r.kind = RecordKind::OtherModule;
    return;
  }
  parse_http(fields, block_text, has_block, r);
  if (has_block && r.from_block) r.line += " HTTPMSG: |" + r.message + "|";
  return;
}

}  // namespace

}  // namespace mratls::scan
