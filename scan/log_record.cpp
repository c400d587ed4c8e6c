#include "scan/log_record.hpp"

#include <charconv>
#include <chrono>

#include "logs/line_format.hpp"
#include "logs/transaction_lines.hpp"

namespace mratls::scan {
namespace {

bool digits(std::string_view s, std::size_t from, std::size_t count, int& out) {
  if (from + count > s.size()) return false;
  out = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_syslog_time(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS.mmm+HH:MM (the milliseconds and the offset may be missing)
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

LogRecord parse_line(std::string_view line) {
  LogRecord r;
  r.line = std::string(line);
  auto marker = line.find(" traffic_server[");
  if (marker == std::string_view::npos) return r;  // another program
  r.kind = RecordKind::Garbled;
  auto first_space = line.find(' ');
  if (first_space == std::string_view::npos || first_space >= marker) return r;
  r.time_text = std::string(line.substr(0, first_space));
  auto time = parse_syslog_time(r.time_text);
  if (!time) return r;
  r.time_ms = *time;
  r.host = std::string(line.substr(first_space + 1, marker - first_space - 1));
  auto pid_start = marker + 16;
  auto pid_end = line.find(']', pid_start);
  if (pid_end == std::string_view::npos) return r;
  auto [p, ec] = std::from_chars(line.data() + pid_start, line.data() + pid_end, r.pid);
  if (ec != std::errc{} || p != line.data() + pid_end || pid_end + 1 >= line.size() || line[pid_end + 1] != ':') return r;
  auto body = line.substr(pid_end + 2);
  while (!body.empty() && body.front() == ' ') body.remove_prefix(1);  // with or without a space before [ET_NET
  const std::string_view text = body;

  if (body.starts_with("[ET_NET")) {
    auto close = body.find("] ");
    if (close == std::string_view::npos) return r;
    auto rest = body.substr(close + 2);
    if (rest.starts_with("WARNING: ")) r.kind = RecordKind::Warning, r.text = std::string(rest.substr(9));
    else if (rest.starts_with("ERROR: ")) r.kind = RecordKind::Error, r.text = std::string(rest.substr(7));
    else r.kind = RecordKind::OtherTraffic, r.text = std::string(rest);
    return r;
  }
  if (body.starts_with("Event=\"Request ")) {
    r.kind = RecordKind::Access;
    r.allowed = body.starts_with(logs::words::kRequestAllowed);
    r.request_url = logs::field(text, "Request");
    r.rule_type = logs::field(text, "Type");
    r.username = logs::field(text, "Username");
    r.txn_id.clear();
    if (r.request_url.empty()) r.kind = RecordKind::Garbled;
    return r;
  }
  if (body.find("Module=\"network.http.trafficserver\"") != std::string_view::npos) {
    r.detail = logs::field(text, "Detail");
    r.txn_id = logs::field(text, "Txn-id");
    r.tracking_id = logs::field(text, "TrackingID");
    bool receive = r.detail.starts_with("Receive");
    r.ip = logs::field(text, receive ? "Src-ip" : "Dst-ip");
    auto port = logs::field(text, receive ? "Src-port" : "Dst-port");
    std::from_chars(port.data(), port.data() + port.size(), r.port);
    auto msg_at = text.find(" Msg=\"");
    if (msg_at != std::string_view::npos) {
      r.message = logs::field(text, "Msg");
    } else if (auto h = text.find("HTTPMSG: |"); h != std::string_view::npos) {
      r.message = std::string(text.substr(h + 10));
      r.debug_block = true;
    }
    if (r.detail.empty() || r.txn_id.empty() || r.message.empty()) return r;  // garbled
    r.kind = RecordKind::Http;
    return r;
  }
  r.kind = RecordKind::OtherTraffic;
  return r;
}

}  // namespace mratls::scan
