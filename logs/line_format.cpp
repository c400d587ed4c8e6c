#include "logs/line_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <iterator>
#include <limits>

#include "verify/x509_text.hpp"

namespace mratls::logs {
namespace {

struct Broken {
  std::tm tm{};
  int millis = 0;
};

Broken broken_down(TimePoint t, int offset_seconds) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  auto secs = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  Broken b;
  b.millis = static_cast<int>(ms - static_cast<long long>(secs) * 1000);
  std::time_t shifted = secs + offset_seconds;
  gmtime_r(&shifted, &b.tm);
  return b;
}

const char* detail_text(HttpDetail d) {
  switch (d) {
    case HttpDetail::ReceiveRequest: return words::kReceiveRequest.data();
    case HttpDetail::SendingRequest: return "Sending Request";
    case HttpDetail::ReceiveResponse: return "Receive Response";
    case HttpDetail::SendingResponse: return words::kSendingResponse.data();
  }
  return "";
}

// Log fields are quoted; a quote inside a value would cut the field short for every reader.
void append_quoted(std::string& out, std::string_view v) {
  // Every field of every line passes here: one table lookup per byte.
  static constexpr auto kPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != 0x7f;
    return t;
  }();
  auto plain = [](char c) { return kPlain[static_cast<unsigned char>(c)]; };
  while (!v.empty()) {
    const auto run = static_cast<std::size_t>(std::find_if_not(v.begin(), v.end(), plain) - v.begin());
    out.append(v.substr(0, run));
    if (run == v.size()) return;
    const char c = v[run];
    if (c == '"') {
      out += "\\\"";
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto u = static_cast<unsigned char>(c);
      const char escaped[4] = {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
      out.append(escaped, 4);
    }
    v.remove_prefix(run + 1);
  }
}

// "2022-07-11 16:55:25,910", the date and time formatted once per second per thread: every
// line carries one, and formatting it cost as much as the rest of the line.
void append_utc_time(std::string& out, TimePoint t) {
  using namespace std::chrono;
  thread_local long long cached_second = std::numeric_limits<long long>::min();
  thread_local char head[32];
  thread_local std::size_t head_size = 0;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  const long long second = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
  const auto millis = static_cast<int>(ms - second * 1000);
  if (second != cached_second) {
    auto b = broken_down(TimePoint{milliseconds(second * 1000)}, 0);
    auto end = fmt::format_to_n(head, sizeof head, "{:04}-{:02}-{:02} {:02}:{:02}:{:02},", b.tm.tm_year + 1900,
                                b.tm.tm_mon + 1, b.tm.tm_mday, b.tm.tm_hour, b.tm.tm_min, b.tm.tm_sec);
    head_size = std::min(end.size, sizeof head);
    cached_second = second;
  }
  out.append(head, head_size);
  const char digits[3] = {static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                          static_cast<char>('0' + millis % 10)};
  out.append(digits, 3);
}

}  // namespace

std::string syslog_prefix(TimePoint t, int utc_offset_seconds, std::string_view system_name, int pid) {
  auto b = broken_down(t, utc_offset_seconds);
  int off = utc_offset_seconds < 0 ? -utc_offset_seconds : utc_offset_seconds;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}{:02}:{:02} {} traffic_server[{}]: ", b.tm.tm_year + 1900,
                     b.tm.tm_mon + 1, b.tm.tm_mday, b.tm.tm_hour, b.tm.tm_min, b.tm.tm_sec, b.millis,
                     utc_offset_seconds < 0 ? '-' : '+', off / 3600, off % 3600 / 60, system_name, pid);
}

std::string utc_time(TimePoint t) {
  std::string out;
  append_utc_time(out, t);
  return out;
}

std::string http_line(const HttpLine& line, config::LogLevel level) {
  const bool receive = line.detail == HttpDetail::ReceiveRequest || line.detail == HttpDetail::ReceiveResponse;
  const std::string_view side = receive ? "Src" : "Dst";
  const bool debug = level == config::LogLevel::Debug;
  std::string out;
  out.reserve(256 + line.message.first_line.size());
  out += "UTCTime=\"";
  append_utc_time(out, line.time);
  out += debug ? R"(" Module="network.http.trafficserver" Level="DEBUG": Detail=")"
               : R"(" Module="network.http.trafficserver" Level="INFO": Detail=")";
  out += detail_text(line.detail);
  out += R"(" Txn-id=")";
  out += line.txn_id;
  out += R"(" TrackingID=")";
  append_quoted(out, line.tracking_id);
  out.append("\" ").append(side).append("-ip=\"").append(line.ip).append("\" ").append(side).append("-port=\"");
  fmt::format_to(std::back_inserter(out), "{}", line.port);
  out += '"';
  if (line.detail == HttpDetail::ReceiveRequest) out += R"( Last-via-addr="")";
  if (!debug) {
    out += R"( Msg=")";
    append_quoted(out, line.message.first_line);
    out += '"';
    return out;
  }
  // As the appliance writes it: the message on the lines after "HTTPMSG:", between '|' marks, each
  // CRLF of the head written as a newline and a space.
  out.append(" \nHTTPMSG:\n|").append(line.message.first_line);
  if (line.message.headers)
    for (const auto& [name, value] : *line.message.headers) out.append("\n ").append(name).append(": ").append(value);
  return out + "\n \n |";
}

std::string access_line(const AccessLine& l) {
  std::string out;
  out.reserve(320 + l.request_url.size() + l.rule_url.size());
  auto field = [&out](std::string_view name, std::string_view value) {
    out.append(name).append("=\"");
    append_quoted(out, value);
    out += "\" ";
  };
  if (l.allowed) {
    out.append(words::kRequestAllowed).append(R"( Detail="Access allowed" Reason="In allow list" )");
  } else {
    out.append(words::kRequestDenied).append(R"( Detail="Access denied" Reason="Not in allow list" )");
  }
  field("Username", l.username);
  out += R"(Deployment="1" )";
  field("Method", l.method);
  field("Request", l.request_url);
  if (l.allowed) {
    field("Rule", l.rule_url);
    out.append("Match=\"").append(l.match).append("\" Type=\"").append(l.type).append("\" ");
  }
  out += "UTCTime=\"";
  append_utc_time(out, l.time);
  out += '"';
  return out;
}

std::string verification_line(int thread, const verify::Finding& finding, const verify::OriginIdentity& origin,
                              verify::Enforcement enforcement, config::OpenSslText style) {
  const char* action = enforcement == verify::Enforcement::Enforce ? "Terminate" : "Continue";
  if (finding.kind == verify::Finding::Kind::Name) {
    return fmt::format("[ET_NET {}] WARNING: {}{}{}. Action={} server={}({})", thread, words::kSni, origin.check_name,
                       words::kNotInCertificate, action, origin.server, origin.ip);
  }
  return fmt::format(
      "[ET_NET {}] WARNING: {}{}). Action={} Error={} server={}({}) depth={}", thread, words::kCoreVerificationFailed,
      origin.check_name, action, verify::x509_error_text(finding.x509_error, style), origin.server, origin.ip,
      finding.depth);
}

std::string ssl_failed_line(int thread, std::string_view name, std::string_view text) {
  return fmt::format("[ET_NET {}] {}{}': {}", thread, words::kSslConnectionFailed, name, text);
}

std::string thread_line(int thread, std::string_view level, std::string_view text) {
  return fmt::format("[ET_NET {}] {}: {}", thread, level, text);
}

}  // namespace mratls::logs
