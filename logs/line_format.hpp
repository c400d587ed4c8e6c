// The traffic_server lines of Expressway-C's diagnostic log, as plain functions
// over values: no clock, no I/O. The sink adds the syslog prefix.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "verify/origin_verification.hpp"

namespace mratls::logs {

using TimePoint = std::chrono::system_clock::time_point;

// The fixed words of the lines a failed request writes. The writers below and in proxy/, and
// scan's reader (scan/outcome_text.cpp), share them.
namespace words {
inline constexpr std::string_view kCoreVerificationFailed = "Core server certificate verification failed for (";
inline constexpr std::string_view kSni = "SNI (";
inline constexpr std::string_view kNotInCertificate = ") not in certificate";
inline constexpr std::string_view kSslConnectionFailed = "ERROR: SSL connection failed for '";
inline constexpr std::string_view kConnectToOriginFailed = "Connect to origin failed for '";
inline constexpr std::string_view kNoResponseWithin = "no response within ";
inline constexpr std::string_view kRequestDenied = "Event=\"Request Denied\"";
inline constexpr std::string_view kRequestAllowed = "Event=\"Request Allowed\"";
// The Detail of the first and last line of a transaction, and those fields as a line has them.
inline constexpr std::string_view kReceiveRequest = "Receive Request";
inline constexpr std::string_view kSendingResponse = "Sending Response";
inline constexpr std::string_view kReceiveRequestField = "Detail=\"Receive Request\"";
inline constexpr std::string_view kSendingResponseField = "Detail=\"Sending Response\"";
}  // namespace words

// "2022-07-11T18:55:25.910+02:00 vcsc traffic_server[18242]: "
std::string syslog_prefix(TimePoint t, int utc_offset_seconds, std::string_view system_name, int pid);
// "2022-07-11 16:55:25,910"
std::string utc_time(TimePoint t);

using Headers = std::vector<std::pair<std::string, std::string>>;

// One HTTP message as logged: its first line and, at DEBUG, its header lines.
struct HttpMessage {
  std::string first_line;  // "GET /x HTTP/1.1" or "HTTP/1.1 200 "
  Headers headers;
  // Whether whoever builds the message fills `headers`: only DEBUG lines print them.
  bool record_headers = true;
};

// What a line shows of a message, without copying it.
struct HttpMessageView {
  std::string_view first_line;
  const Headers* headers = nullptr;  // printed at DEBUG; none when null
};

inline HttpMessageView view_of(const HttpMessage& message) { return {message.first_line, &message.headers}; }

enum class HttpDetail { ReceiveRequest, SendingRequest, ReceiveResponse, SendingResponse };

// Views of the transaction's values: a line is formatted where it is built, never kept.
struct HttpLine {
  HttpDetail detail = HttpDetail::ReceiveRequest;
  TimePoint time;
  std::string_view txn_id;
  std::string_view tracking_id;
  std::string_view ip;  // Src-ip for Receive, Dst-ip for Sending
  int port = 0;
  HttpMessageView message;
};

std::string http_line(const HttpLine& line, config::LogLevel level);

// The views are of the request's head and of the runtime's allow list, which outlive the line.
struct AccessLine {
  bool allowed = true;
  TimePoint time;
  std::string username;
  std::string_view method;
  std::string request_url;
  std::string_view rule_url;  // allowed only
  std::string_view match;     // "prefix" | "exact"
  std::string_view type;      // "Automatically generated rule for CUCM server"
};

std::string access_line(const AccessLine& line);

// "[ET_NET 0] WARNING: Core server certificate verification failed for (...) ..."
std::string verification_line(int thread, const verify::Finding& finding, const verify::OriginIdentity& origin,
                              verify::Enforcement enforcement, config::OpenSslText style);
// "[ET_NET 0] ERROR: SSL connection failed for '...': <text>"
std::string ssl_failed_line(int thread, std::string_view name, std::string_view text);
// Other event-thread lines of ours ("[ET_NET 0] WARNING: ...").
std::string thread_line(int thread, std::string_view level, std::string_view text);

}  // namespace mratls::logs
