#include "strict_http.hpp"

namespace mratls::test {

StrictReader::StrictReader(Kind kind) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = [](llhttp_t* p) {
    auto& s = self(p);
    s.current_ = {};
    s.in_value_ = false;
    s.started_ = true;
    return 0;
  };
  settings_.on_url = [](llhttp_t* p, const char* at, std::size_t n) {
    self(p).current_.target.append(at, n);
    return 0;
  };
  settings_.on_method = [](llhttp_t* p, const char* at, std::size_t n) {
    self(p).current_.method.append(at, n);
    return 0;
  };
  settings_.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
    auto& s = self(p);
    if (s.in_value_ || s.current_.headers.empty()) s.current_.headers.emplace_back();
    s.in_value_ = false;
    s.current_.headers.back().first.append(at, n);
    return 0;
  };
  settings_.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
    auto& s = self(p);
    s.in_value_ = true;
    s.current_.headers.back().second.append(at, n);
    return 0;
  };
  settings_.on_headers_complete = [](llhttp_t* p) {
    auto& s = self(p);
    s.current_.status = llhttp_get_status_code(p);
    // 1: no body follows. llhttp knows 1xx, 204 and 304 by itself; HEAD only the caller knows.
    return p->type == HTTP_RESPONSE && s.answering_head_ && s.current_.status >= 200 ? 1 : 0;
  };
  settings_.on_body = [](llhttp_t* p, const char* at, std::size_t n) {
    self(p).current_.body.append(at, n);
    return 0;
  };
  settings_.on_message_complete = [](llhttp_t* p) {
    auto& s = self(p);
    s.complete_.push_back(std::move(s.current_));
    s.current_ = {};
    s.started_ = false;
    return 0;
  };
  llhttp_init(&parser_, kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, &settings_);
  parser_.data = this;
}

void StrictReader::take(llhttp_errno_t err) {
  if (err == HPE_OK || !error_.empty()) return;
  const char* reason = llhttp_get_error_reason(&parser_);
  error_ = std::string(llhttp_errno_name(err)) + ": " + (reason ? reason : "");
}

std::vector<StrictMessage> StrictReader::feed(std::string_view bytes) {
  complete_.clear();
  if (error_.empty() && !bytes.empty()) take(llhttp_execute(&parser_, bytes.data(), bytes.size()));
  return std::move(complete_);
}

std::vector<StrictMessage> StrictReader::finish() {
  complete_.clear();
  if (error_.empty()) take(llhttp_finish(&parser_));
  return std::move(complete_);
}

}  // namespace mratls::test
