#include "proxy/http_parser.hpp"
#include "config/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace mratls::proxy {
namespace {

// RFC 9110 tchar: anything else in a field name (a space, above all) lets two parsers disagree.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos))
      return false;
  return true;
}

void trim_in_place(std::string& s) {
  std::size_t end = s.size();
  while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  std::size_t begin = 0;
  while (begin < end && (s[begin] == ' ' || s[begin] == '\t')) ++begin;
  s.erase(end);
  s.erase(0, begin);
}

}  // namespace

const std::string* HttpHead::find(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (ascii::iequals(n, name)) return &v;
  return nullptr;
}

std::size_t HttpHead::count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return ascii::iequals(h.first, name); }));
}

HttpParser::HttpParser(Kind kind, Limits limits) : limits_(limits), kind_(kind) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = on_message_begin;
  settings_.on_url = on_url;
  settings_.on_status = on_status;
  settings_.on_method = on_method;
  settings_.on_header_field = on_header_field;
  settings_.on_header_value = on_header_value;
  settings_.on_headers_complete = on_headers_complete;
  settings_.on_message_complete = on_message_complete;
  settings_.on_body = on_body;
  llhttp_init(&parser_, kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, &settings_);
  parser_.data = this;
}

int HttpParser::fail(ParseFailure f, std::string text) {
  failure_ = f;
  failure_text_ = std::move(text);
  return HPE_USER;
}

bool HttpParser::add_head_bytes(std::size_t n) {
  head_bytes_ += n;
  return head_bytes_ <= limits_.max_header_bytes;
}

void HttpParser::recycle_head() {
  for (auto& field : head_.headers) {
    field.first.clear();
    field.second.clear();
    spare_headers_.push_back(std::move(field));
  }
  head_.headers.clear();
  head_.method.clear();
  head_.target.clear();
  head_.reason.clear();
  head_.status = 0;
  head_.version_major = head_.version_minor = 1;
}

int HttpParser::on_message_begin(llhttp_t* p) {
  auto& s = self(p);
  s.recycle_head();
  s.in_value_ = false;
  s.head_ready_ = s.message_complete_ = false;
  s.chunked_ = false;
  return 0;
}

int HttpParser::on_url(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  s.head_.target.append(at, len);
  if (s.head_.target.size() > s.limits_.max_target_bytes)
    return s.fail(ParseFailure::UriTooLong, "request target longer than " + std::to_string(s.limits_.max_target_bytes) + " bytes");
  return s.add_head_bytes(len) ? 0 : s.fail(ParseFailure::HeaderTooLarge, "request head too large");
}

int HttpParser::on_status(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  s.head_.reason.append(at, len);
  return s.add_head_bytes(len) ? 0 : s.fail(ParseFailure::HeaderTooLarge, "response head too large");
}

int HttpParser::on_method(llhttp_t* p, const char* at, std::size_t len) {
  self(p).head_.method.append(at, len);
  return 0;
}

int HttpParser::on_header_field(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  if (s.head_ready_) return 0;  // a trailer: forwarded as body bytes, never part of the head
  if (s.in_value_ || s.head_.headers.empty()) {
    if (s.head_.headers.size() >= s.limits_.max_header_count)
      return s.fail(ParseFailure::HeaderTooLarge, "more than " + std::to_string(s.limits_.max_header_count) + " header fields");
    if (s.spare_headers_.empty()) {
      s.head_.headers.emplace_back();
    } else {
      s.head_.headers.push_back(std::move(s.spare_headers_.back()));
      s.spare_headers_.pop_back();
    }
    s.in_value_ = false;
  }
  s.head_.headers.back().first.append(at, len);
  return s.add_head_bytes(len + 4) ? 0 : s.fail(ParseFailure::HeaderTooLarge, "header fields larger than " + std::to_string(s.limits_.max_header_bytes) + " bytes");
}

int HttpParser::on_header_value(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  if (s.head_ready_) return 0;
  s.in_value_ = true;
  s.head_.headers.back().second.append(at, len);
  return s.add_head_bytes(len) ? 0 : s.fail(ParseFailure::HeaderTooLarge, "header fields larger than " + std::to_string(s.limits_.max_header_bytes) + " bytes");
}

int HttpParser::on_headers_complete(llhttp_t* p) {
  auto& s = self(p);
  auto& h = s.head_;
  h.version_major = llhttp_get_http_major(p);
  h.version_minor = llhttp_get_http_minor(p);
  h.status = llhttp_get_status_code(p);
  // llhttp reads "20" as a status; a client reads a two-digit one as final, the proxy as interim.
  if (p->type == HTTP_RESPONSE && (h.status < 100 || h.status > 599))
    return s.fail(ParseFailure::Malformed, "status code " + std::to_string(h.status) + " is not three digits");
  for (auto& kv : h.headers) {
    if (!is_token(kv.first)) return s.fail(ParseFailure::Malformed, "invalid header field name '" + kv.first + "'");
    trim_in_place(kv.second);
  }

  // Framing that two parsers could read differently is refused outright (request smuggling).
  if (h.find("Transfer-Encoding") && h.find("Content-Length"))
    return s.fail(ParseFailure::LengthConflict, "both Content-Length and Transfer-Encoding");
  if (h.count("Content-Length") > 1)
    return s.fail(ParseFailure::LengthConflict, "more than one Content-Length");
  if (h.count("Transfer-Encoding") > 1 || (h.find("Transfer-Encoding") && !ascii::iequals(*h.find("Transfer-Encoding"), "chunked")))
    return s.fail(ParseFailure::BadTransferCoding, "Transfer-Encoding other than chunked");

  // The framing forwarded is the framing read: the header values as they go out (trimmed)
  // must say what llhttp decided, or the next hop would delimit the body differently
  // ("chunked\t" is not chunked to llhttp, but is once trimmed).
  // An interim response has no content (RFC 9110 15.2); one that names a length is read with
  // a body by some parsers and without by others (libFuzzer found llhttp doing both).
  if (p->type == HTTP_RESPONSE && h.status < 200 && (h.find("Transfer-Encoding") || h.find("Content-Length")))
    return s.fail(ParseFailure::Malformed, "interim response with a body length");
  // Decided here, once: a trailer named Transfer-Encoding changes llhttp's flags later on.
  s.chunked_ = (p->flags & F_CHUNKED) != 0;
  if (s.chunked_ != (h.find("Transfer-Encoding") != nullptr))
    return s.fail(ParseFailure::Malformed, "Transfer-Encoding read differently once trimmed");
  if (const auto* cl = h.find("Content-Length")) {
    const bool digits = !cl->empty() && std::all_of(cl->begin(), cl->end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || (p->flags & F_CONTENT_LENGTH) == 0)
      return s.fail(ParseFailure::Malformed, "Content-Length '" + *cl + "' is not a number");
  }

  s.keep_alive_ = llhttp_should_keep_alive(p) != 0;
  s.head_ready_ = true;
  s.paused_ = true;
  if (s.no_body_) return 1;  // the pause comes at message end, right after
  return HPE_PAUSED;
}

int HttpParser::on_message_complete(llhttp_t* p) {
  auto& s = self(p);
  s.message_complete_ = true;
  s.keep_alive_ = llhttp_should_keep_alive(p) != 0;
  s.paused_ = true;
  return HPE_PAUSED;
}

int HttpParser::on_body(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  if (s.chunked()) s.body_spans_.emplace_back(at, len);
  if (s.keep_payload_) s.payload_.append(at, len);
  return 0;
}

bool HttpParser::chunked() const { return head_ready_ && chunked_; }

bool HttpParser::has_body() const {
  if (no_body_) return false;
  if (chunked()) return true;
  if (const auto* cl = head_.find("Content-Length")) return *cl != "0";
  return llhttp_message_needs_eof(&parser_) != 0;
}

void HttpParser::take_llhttp_error(llhttp_errno_t err) {
  if (failure_ != ParseFailure::None) return;
  const char* reason = llhttp_get_error_reason(&parser_);
  std::string text = reason ? reason : llhttp_errno_name(err);
  switch (err) {
    case HPE_UNEXPECTED_CONTENT_LENGTH:
      failure_ = ParseFailure::LengthConflict;
      break;
    case HPE_INVALID_TRANSFER_ENCODING:
      failure_ = ParseFailure::BadTransferCoding;
      break;
    default:
      failure_ = ParseFailure::Malformed;
  }
  failure_text_ = text;
}

// llhttp 8 ends a line at LF alone, and at CR followed by any byte: both are read otherwise by
// other servers, so both are refused.
bool HttpParser::check_line_ending_slow(char c, bool chunk_framing) {
  const char* where = chunk_framing ? "chunk framing " : "";
  if (c == '\n' && last_char_ != '\r') {
    fail(ParseFailure::BareLf, where + std::string("line ended by LF without CR"));
    return false;
  }
  if (last_char_ == '\r' && c != '\n') {
    fail(ParseFailure::BareLf, where + std::string("CR not followed by LF"));
    return false;
  }
  last_char_ = c;
  return true;
}

void HttpParser::scan_line_endings(std::string_view consumed) {
  for (char c : consumed)
    if (!check_line_ending(c, false)) return;
}

// Chunk-size lines and the trailer section are framing: a bare LF there is read one way by
// llhttp and another by servers that accept it. Chunk data is opaque and skipped.
void HttpParser::scan_chunk_framing(std::string_view consumed) {
  const char* at = consumed.data();
  const char* end = at + consumed.size();
  auto span = body_spans_.begin();
  while (at < end) {
    if (span != body_spans_.end() && at == span->data()) {
      if (last_char_ == '\r') {
        fail(ParseFailure::BareLf, "chunk framing CR not followed by LF");
        return;
      }
      at += span->size();
      last_char_ = 0;  // data is opaque: what ends it is framing of its own
      ++span;
      continue;
    }
    if (!check_line_ending(*at++, true)) return;
  }
}

std::size_t HttpParser::feed(std::string_view data) {
  // An empty feed still runs: it lets a paused parser reach the end of a message without body.
  // After the end of a message nothing is read until next_message(): the bytes that follow a
  // response to HEAD belong to no response of this request.
  if (failed() || message_complete_) return 0;
  // llhttp computes data + len: never on a null pointer, even for nothing.
  static constexpr char kNothing[1] = {};
  if (data.data() == nullptr) data = std::string_view(kNothing, 0);
  if (paused_) {
    llhttp_resume(&parser_);
    paused_ = false;
  }
  bool in_head = !head_ready_;
  body_spans_.clear();
  auto err = llhttp_execute(&parser_, data.data(), data.size());
  std::size_t consumed = data.size();
  if (err == HPE_PAUSED) {
    consumed = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - data.data());
  } else if (err != HPE_OK) {
    if (in_head) scan_line_endings(data);  // a bare LF is the better explanation, when there is one
    take_llhttp_error(err);
    return 0;
  }
  if (in_head) {
    // The parser pauses at the end of the head, so `consumed` holds head bytes only: a body is
    // opaque and never scanned.
    scan_line_endings(data.substr(0, consumed));
    if (!head_ready_ && !add_head_bytes(0)) fail(ParseFailure::HeaderTooLarge, "request head too large");
  } else if (chunked()) {
    scan_chunk_framing(data.substr(0, consumed));
  }
  return failed() ? 0 : consumed;
}

void HttpParser::finish() {
  if (failed() || message_complete_) return;
  if (paused_) {
    llhttp_resume(&parser_);
    paused_ = false;
  }
  auto err = llhttp_finish(&parser_);
  if (err != HPE_OK && err != HPE_PAUSED) take_llhttp_error(err);
}

void HttpParser::next_message() {
  head_ready_ = message_complete_ = false;
  payload_.clear();
  head_bytes_ = 0;
  no_body_ = false;
  last_char_ = 0;
  // Resuming the parser paused at message end starts the next message.
}

void HttpParser::reset(Limits limits) {
  limits_ = limits;
  llhttp_init(&parser_, kind_ == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, &settings_);
  parser_.data = this;
  recycle_head();
  in_value_ = head_ready_ = message_complete_ = keep_alive_ = no_body_ = paused_ = chunked_ = false;
  payload_.clear();
  last_char_ = 0;
  head_bytes_ = 0;
  body_spans_.clear();
  failure_ = ParseFailure::None;
  failure_text_.clear();
}

}  // namespace mratls::proxy
