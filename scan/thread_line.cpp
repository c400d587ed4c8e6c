#include "scan/thread_line.hpp"

#include <array>
#include <charconv>

#include "logs/line_format.hpp"
#include "scan/masked.hpp"
#include "scan/text_chars.hpp"
#include "scan/wrapped_text.hpp"

namespace mratls::scan {
namespace {

namespace words = logs::words;
using wrapped::kBreak;

std::string_view skip_gaps(std::string_view s) {
  while (!s.empty() && is_gap(s.front())) s.remove_prefix(1);
  return s;
}

// The reasons an SSL ERROR line ends with, as OpenSSL 1.1.1 and 3.0 write them: text pasted from a
// note goes on after the reason, and the reason is where the line ends.
constexpr std::array<std::string_view, 40> kSslReasons = {
    "certificate verify failed", "tlsv1 alert unknown ca", "tlsv13 alert certificate required",
    "sslv3 alert handshake failure", "sslv3 alert bad certificate", "sslv3 alert certificate unknown",
    "sslv3 alert unsupported certificate", "sslv3 alert certificate expired", "sslv3 alert certificate revoked",
    "tlsv1 alert access denied", "tlsv1 alert protocol version", "tlsv1 alert internal error",
    "tlsv1 alert decrypt error", "tlsv1 alert decode error", "tlsv1 alert insufficient security",
    "tlsv1 unrecognized name", "tlsv1 alert unrecognized name", "tlsv1 alert no application protocol",
    "sslv3 alert unexpected message", "sslv3 alert illegal parameter", "sslv3 alert bad record mac",
    "wrong version number", "unexpected eof while reading", "unsupported protocol", "no protocols available",
    "packet length too long", "record layer failure", "no shared cipher", "no ciphers available",
    "dh key too small", "ee key too small", "ca md too weak", "unknown protocol", "http request",
    "wrong signature type", "bad ecpoint", "unsafe legacy renegotiation disabled", "decryption failed or bad record mac",
    "tlsv1 alert record overflow", "sslv3 alert no certificate"};

// "error:1416F086:SSL routines:func:reason<prose>" → the text up to the end of a known reason.
std::string ssl_error_text(std::string_view raw) {
  std::string text = wrapped::words(raw);
  // "error:<code>:<library>:<function>:<reason>" (OpenSSL 3 leaves the function empty).
  std::size_t reason_at = text.find("error:");
  for (int colon = 0; colon < 4 && reason_at != std::string::npos; ++colon) reason_at = text.find(':', reason_at + (colon ? 1 : 0));
  if (reason_at == std::string::npos) return text;
  // The code, library and function as OpenSSL writes them: a space pasted after a colon goes.
  const auto error_at = text.find("error:");
  std::string code;
  for (char c : std::string_view(text).substr(error_at, reason_at - error_at + 1))
    if (c != ' ' || (!code.empty() && code.back() != ':')) code += c;
  std::string_view reason = std::string_view(text).substr(reason_at + 1);
  while (!reason.empty() && reason.front() == ' ') reason.remove_prefix(1);
  text = text.substr(0, error_at) + code + std::string(reason);
  reason = std::string_view(text).substr(error_at + code.size());
  std::size_t best = 0;
  for (auto known : kSslReasons)
    if (reason.starts_with(known) && known.size() > best &&
        (reason.size() == known.size() || reason[known.size()] == ' ' || reason[known.size()] == '.'))
      best = known.size();
  if (best) text.resize(static_cast<std::size_t>(reason.data() - text.data()) + best);
  return text;
}

// Where the word that starts at `at` ends.
std::size_t word_end(std::string_view text, std::size_t at) {
  while (at < text.size() && !is_gap(text[at])) ++at;
  return at;
}

// "<host>(<ip>)" at the start of `s`.
struct ServerIp {
  std::string server, ip;
  std::size_t end = 0;
};
std::optional<ServerIp> server_ip(std::string_view s) {
  const auto open = s.find('(');
  if (open == std::string_view::npos) return std::nullopt;
  const auto close = s.find(')', open);
  if (close == std::string_view::npos) return std::nullopt;
  for (char c : s.substr(0, open))
    if (c == ' ' || c == '\t') return std::nullopt;
  ServerIp out{wrapped::ident(s.substr(0, open)), wrapped::ident(s.substr(open + 1, close - open - 1)), close + 1};
  return out;
}

// "Core server certificate verification failed for (<name>). Action=<a> Error=<text> server=<host>(<ip>) depth=<n>"
bool core_warning(std::string_view text, ThreadLine& out) {
  const auto head = wrapped::find(text, words::kCoreVerificationFailed);
  if (!head || head->begin != 0) return false;
  const auto close = text.find(')', head->end);
  const auto action = wrapped::find(text, "Action=", close == std::string_view::npos ? text.size() : close);
  const auto error = action ? wrapped::find(text, "Error=", action->end) : std::nullopt;
  const auto server = error ? wrapped::find(text, " server=", error->end) : std::nullopt;
  if (close == std::string_view::npos || !server) return false;
  const auto where = server_ip(text.substr(server->end));
  if (!where) return false;
  const auto depth_at = wrapped::find(text, "depth=", server->end + where->end);
  if (!depth_at) return false;
  const auto digits = wrapped::ident(text.substr(depth_at->end, 4));
  int depth = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), depth);
  if (ec != std::errc{} || end == digits.data()) return false;
  out.name = wrapped::ident(text.substr(head->end, close - head->end));
  const auto action_word = wrapped::ident(text.substr(action->end, word_end(text, action->end) - action->end));
  out.terminate = action_word == "Terminate";
  out.proceed = action_word == "Continue";
  out.server = where->server;
  out.ip = where->ip;
  out.text = std::string(words::kCoreVerificationFailed) + out.name + "). Action=" + action_word +
             " Error=" + wrapped::words(text.substr(error->end, server->begin - error->end)) + " server=" + out.server +
             "(" + out.ip + ") depth=" + std::to_string(depth);
  return true;
}

// "SNI (<name>) not in certificate. Action=<a> server=<host>(<ip>)"
bool sni_warning(std::string_view text, ThreadLine& out) {
  const auto head = wrapped::find(text, words::kSni);
  if (!head || head->begin != 0) return false;
  const auto tail = wrapped::find(text, words::kNotInCertificate, head->end);
  if (!tail) return false;
  const auto action = wrapped::find(text, "Action=", tail->end);
  const auto server = action ? wrapped::find(text, "server=", action->end) : std::nullopt;
  if (!server) return false;
  const auto where = server_ip(text.substr(server->end));
  if (!where) return false;
  out.name = wrapped::ident(text.substr(head->end, tail->begin - head->end));
  const auto action_word = wrapped::ident(text.substr(action->end, word_end(text, action->end) - action->end));
  out.terminate = action_word == "Terminate";
  out.proceed = action_word == "Continue";
  out.server = where->server;
  out.ip = where->ip;
  out.text = std::string(words::kSni) + out.name + std::string(words::kNotInCertificate) + ". Action=" + action_word +
             " server=" + out.server + "(" + out.ip + ")";
  return true;
}

// "SSL connection failed for '<name>': <error>", the space after the colon as it may be.
bool ssl_error(std::string_view text, ThreadLine& out) {
  constexpr std::string_view kHead = words::kSslConnectionFailed.substr(7);  // after "ERROR: "
  const auto head = wrapped::find(text, kHead);
  if (!head || head->begin != 0) return false;
  const auto quote = text.find('\'', head->end);
  if (quote == std::string_view::npos) return false;
  out.name = wrapped::ident(text.substr(head->end, quote - head->end));
  auto rest = text.substr(quote + 1);
  if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);
  out.text = std::string(kHead) + out.name + "': " + ssl_error_text(skip_gaps(rest));
  out.terminate = true;
  return true;
}

}  // namespace

std::optional<ThreadLine> parse_thread_line(std::string_view body) {
  ThreadLine out;
  body = skip_gaps(body);
  if (!body.empty() && body.front() == '[') {
    const auto close = body.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto inside = wrapped::ident(body.substr(1, close - 1));
    if (inside.starts_with("ET_NET")) {
      std::string_view n = std::string_view(inside).substr(6);
      while (!n.empty() && n.front() == ' ') n.remove_prefix(1);
      int thread = -1;
      if (std::from_chars(n.data(), n.data() + n.size(), thread).ec == std::errc{}) out.thread = thread;
    }
    body = skip_gaps(body.substr(close + 1));
  }
  std::size_t i = 0;
  while (i < body.size() && body[i] >= 'A' && body[i] <= 'Z') ++i;
  if (i < 4 || i >= body.size() || body[i] != ':') return std::nullopt;
  out.level = std::string(body.substr(0, i));
  const auto text = skip_gaps(body.substr(i + 1));
  const bool known = (out.level == "WARNING" && (core_warning(text, out) || sni_warning(text, out))) ||
                     (out.level == "ERROR" && ssl_error(text, out));
  if (!known) {
    out.text = wrapped::words(text);
    if (out.level == "ERROR") out.terminate = true;
  }
  if (is_masked(out.ip)) out.ip.clear();
  return out;
}

std::string thread_line_text(const ThreadLine& line) {
  std::string out;
  if (line.thread >= 0) out = "[ET_NET " + std::to_string(line.thread) + "] ";
  return out + line.level + ": " + line.text;
}

}  // namespace mratls::scan
