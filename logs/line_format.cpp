#include "logs/line_format.hpp"

#include <fmt/format.h>

#include <ctime>

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
    case HttpDetail::ReceiveRequest: return "Receive Request";
    case HttpDetail::SendingRequest: return "Sending Request";
    case HttpDetail::ReceiveResponse: return "Receive Response";
    case HttpDetail::SendingResponse: return "Sending Response";
  }
  return "";
}

// Log fields are quoted; a quote inside a value would cut the field short for every reader.
std::string quoted(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '"') out += "\\\"";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else out += c;
  }
  return out;
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
  auto b = broken_down(t, 0);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03}", b.tm.tm_year + 1900, b.tm.tm_mon + 1, b.tm.tm_mday,
                     b.tm.tm_hour, b.tm.tm_min, b.tm.tm_sec, b.millis);
}

std::string http_line(const HttpLine& line, config::LogLevel level) {
  const bool receive = line.detail == HttpDetail::ReceiveRequest || line.detail == HttpDetail::ReceiveResponse;
  const char* side = receive ? "Src" : "Dst";
  const bool debug = level == config::LogLevel::Debug;
  std::string out = fmt::format(
      R"(UTCTime="{}" Module="network.http.trafficserver" Level="{}": Detail="{}" Txn-id="{}" TrackingID="{}" {}-ip="{}" {}-port="{}")",
      utc_time(line.time), debug ? "DEBUG" : "INFO", detail_text(line.detail), line.txn_id, quoted(line.tracking_id), side,
      line.ip, side, line.port);
  if (line.detail == HttpDetail::ReceiveRequest) out += R"( Last-via-addr="")";
  if (!debug) return out + fmt::format(R"( Msg="{}")", quoted(line.message.first_line));
  out += " HTTPMSG: |" + line.message.first_line;
  for (const auto& [name, value] : line.message.headers) out += "\n " + name + ": " + value;
  return out + "\n|";
}

std::string access_line(const AccessLine& l) {
  if (l.allowed) {
    return fmt::format(
        R"(Event="Request Allowed" Detail="Access allowed" Reason="In allow list" Username="{}" Deployment="1" Method="{}" Request="{}" Rule="{}" Match="{}" Type="{}" UTCTime="{}")",
        quoted(l.username), quoted(l.method), quoted(l.request_url), quoted(l.rule_url), l.match, l.type, utc_time(l.time));
  }
  return fmt::format(
      R"({} Detail="Access denied" Reason="Not in allow list" Username="{}" Deployment="1" Method="{}" Request="{}" UTCTime="{}")",
      words::kRequestDenied, quoted(l.username), quoted(l.method), quoted(l.request_url), utc_time(l.time));
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
