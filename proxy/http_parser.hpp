// An incremental HTTP/1.1 message parser over llhttp. It stops after the head, so that the
// head can be checked and rewritten, and after the message, so that the caller knows exactly
// which bytes were the body and forwards them untouched (Content-Length or chunked framing).
#pragma once

#include <llhttp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mratls::proxy {

struct HttpHead {
  std::string method;  // request
  std::string target;  // request
  int status = 0;      // response
  std::string reason;  // response, verbatim ("" when the origin sent none, as Tomcat does)
  int version_major = 1;
  int version_minor = 1;
  std::vector<std::pair<std::string, std::string>> headers;

  // The first value of a header (case-insensitive name), or nullptr.
  const std::string* find(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  std::string version() const { return "HTTP/" + std::to_string(version_major) + "." + std::to_string(version_minor); }
};

enum class ParseFailure {
  None,
  Malformed,        // 400
  BareLf,           // 400: a line ended by LF alone, a smuggling vector
  UriTooLong,       // 414
  HeaderTooLarge,   // 431
  LengthConflict,   // 400: Content-Length with Transfer-Encoding, or conflicting Content-Lengths
  BadTransferCoding // 501
};

class HttpParser {
 public:
  enum class Kind { Request, Response };
  struct Limits {
    std::size_t max_header_bytes = 65536;
    std::size_t max_target_bytes = 8192;
    std::size_t max_header_count = 200;
  };

  HttpParser(Kind kind, Limits limits);
  HttpParser(const HttpParser&) = delete;
  HttpParser& operator=(const HttpParser&) = delete;

  // Consumes bytes up to the end of the head, the end of the message, or the end of `data`.
  // Returns how many bytes were consumed.
  std::size_t feed(std::string_view data);
  // The peer closed: completes a message delimited by the end of the connection.
  void finish();

  bool head_ready() const { return head_ready_; }
  bool message_complete() const { return message_complete_; }
  bool failed() const { return failure_ != ParseFailure::None; }
  ParseFailure failure() const { return failure_; }
  const std::string& failure_text() const { return failure_text_; }
  // Bytes of the current message's head consumed so far, for the header-size limit.
  std::size_t head_bytes() const { return head_bytes_; }

  const HttpHead& head() const { return head_; }
  bool keep_alive() const { return keep_alive_; }
  bool chunked() const;
  bool has_body() const;  // after the head: whether body bytes follow
  bool needs_eof() const { return llhttp_message_needs_eof(&parser_) != 0; }

  // A response to HEAD, or a 1xx/204/304, carries no body even when it names a length.
  void expect_no_body(bool value) { no_body_ = value; }

  // Keeps the current message's payload as llhttp hands it over, chunk framing, extensions
  // and trailers left out: for clients that read a body (the proxy forwards framed bytes and
  // keeps none).
  void keep_payload(bool value) { keep_payload_ = value; }
  const std::string& payload() const { return payload_; }

  // Ready for the next message on the same connection.
  void next_message();
  // Ready for the first message of another connection, under `limits`. The head's strings keep
  // their storage, so that a parser reused connection after connection allocates nothing.
  void reset(Limits limits);

 private:
  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, std::size_t len);
  static int on_status(llhttp_t* p, const char* at, std::size_t len);
  static int on_method(llhttp_t* p, const char* at, std::size_t len);
  static int on_header_field(llhttp_t* p, const char* at, std::size_t len);
  static int on_header_value(llhttp_t* p, const char* at, std::size_t len);
  static int on_headers_complete(llhttp_t* p);
  static int on_message_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, std::size_t len);
  static HttpParser& self(llhttp_t* p) { return *static_cast<HttpParser*>(p->data); }

  int fail(ParseFailure f, std::string text);
  // Empties the head for the next message, its header strings set aside for reuse.
  void recycle_head();
  bool add_head_bytes(std::size_t n);
  // Every byte of a head passes here: the common byte, neither CR nor LF nor after a CR, is
  // settled inline; the rest as before.
  bool check_line_ending(char c, bool chunk_framing) {
    if (c != '\n' && c != '\r' && last_char_ != '\r') {
      last_char_ = c;
      return true;
    }
    return check_line_ending_slow(c, chunk_framing);
  }
  bool check_line_ending_slow(char c, bool chunk_framing);
  void scan_line_endings(std::string_view consumed);
  void scan_chunk_framing(std::string_view consumed);
  void take_llhttp_error(llhttp_errno_t err);

  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  Limits limits_;
  HttpHead head_;
  std::vector<std::pair<std::string, std::string>> spare_headers_;  // emptied, with their storage
  Kind kind_;
  bool in_value_ = false;
  bool head_ready_ = false;
  bool message_complete_ = false;
  bool keep_alive_ = false;
  bool no_body_ = false;
  bool paused_ = false;
  bool chunked_ = false;  // the framing llhttp decided at the end of the head
  bool keep_payload_ = false;
  std::string payload_;
  char last_char_ = 0;
  std::size_t head_bytes_ = 0;
  // Chunk data seen by the execute in progress, so that only the framing around it is scanned.
  std::vector<std::string_view> body_spans_;
  ParseFailure failure_ = ParseFailure::None;
  std::string failure_text_;
};

}  // namespace mratls::proxy
