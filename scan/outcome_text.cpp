#include "scan/outcome_text.hpp"

#include <algorithm>
#include <charconv>

#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "scan/masked.hpp"
#include "verify/client_certificate_alert.hpp"
#include "verify/x509_text.hpp"

namespace mratls::scan {
namespace {

namespace words = logs::words;

bool has(std::string_view s, std::string_view needle) { return s.find(needle) != std::string_view::npos; }

// The text between the first `open` and the `close` after it, and where `close` starts.
struct Enclosed {
  std::string_view text;
  std::size_t close_at = 0;
};
std::optional<Enclosed> enclosed(std::string_view line, std::string_view open, std::string_view close) {
  auto at = line.find(open);
  if (at == std::string_view::npos) return std::nullopt;
  auto start = at + open.size();
  auto end = line.find(close, start);
  if (end == std::string_view::npos) return std::nullopt;
  return Enclosed{line.substr(start, end - start), end};
}

// "… Core server certificate verification failed for (<name>). Action=<a> Error=<text>
// server=<host>(<ip>) depth=<n>". Parsed by hand: scan reads every failing transaction with
// it, where std::regex dominated the profile.
std::optional<verify::ChainRefused> core_failure(std::string_view line) {
  auto name = enclosed(line, words::kCoreVerificationFailed, ").");
  if (!name) return std::nullopt;
  auto error_at = line.find(" Error=", name->close_at);
  auto server_at = line.rfind(" server=");
  auto depth_at = line.rfind(" depth=");
  if (error_at == std::string_view::npos || server_at == std::string_view::npos || depth_at == std::string_view::npos ||
      server_at < error_at + 7 || depth_at < server_at)
    return std::nullopt;
  int depth = 0;
  auto digits = line.substr(depth_at + 7);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), depth);
  if (ec != std::errc{} || end == digits.data()) return std::nullopt;
  const auto error = line.substr(error_at + 7, server_at - error_at - 7);
  return verify::ChainRefused{std::string(name->text), verify::x509_error_code(error).value_or(0), depth, std::string(error)};
}

// "SNI (<name>) not in certificate": the name.
std::optional<verify::NameNotInCertificate> sni_failure(std::string_view line) {
  auto name = enclosed(line, words::kSni, words::kNotInCertificate);
  if (!name || name->text.find(')') != std::string_view::npos) return std::nullopt;
  return verify::NameNotInCertificate{std::string(name->text), mra::is_ip_literal(name->text) || is_masked_ip(name->text)};
}

// "… SSL connection failed for '<name>': <text>" (the space after the colon as it may be).
std::optional<verify::Outcome> ssl_failure(std::string_view line) {
  auto name = enclosed(line, words::kSslConnectionFailed, "':");
  if (!name) return std::nullopt;
  auto text = line.substr(name->close_at + 2);
  if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return verify::HandshakeFailed{std::string(name->text), std::string(text)};
}

}  // namespace

std::optional<verify::Outcome> outcome_of_line(std::string_view line) {
  if (auto core = core_failure(line)) return *core;
  if (auto sni = sni_failure(line)) return *sni;
  if (auto alert = verify::client_certificate_alert_in(line)) {
    auto ssl = ssl_failure(line);
    return verify::ClientCertificateRefused{ssl ? std::get<verify::HandshakeFailed>(*ssl).name : std::string(),
                                            std::string(alert->words), !alert->none_presented};
  }
  if (has(line, words::kRequestDenied)) return verify::Denied{};
  if (has(line, words::kConnectToOriginFailed)) return verify::NetworkFailure{"", std::string(line)};
  if (has(line, words::kNoResponseWithin)) return verify::OriginTimeout{};
  return std::nullopt;
}

std::optional<verify::Outcome> outcome_of(const std::vector<std::string>& lines) {
  for (const auto& line : lines)
    if (auto o = outcome_of_line(line)) return o;
  for (const auto& line : lines)
    if (auto o = ssl_failure(line)) return o;
  return std::nullopt;
}

std::vector<verify::Outcome> outcomes_of(const std::vector<std::string>& lines) {
  std::vector<verify::Outcome> out;
  std::vector<std::string_view> said;
  for (const auto& line : lines) {
    auto outcome = outcome_of_line(line);
    if (!outcome) continue;
    // The same statement again (another attempt): once.
    std::string_view text = line;
    for (std::string_view level : {"WARNING: ", "ERROR: "})
      if (const auto at = text.find(level); at != std::string_view::npos) {
        text = text.substr(at);
        break;
      }
    if (std::ranges::find(said, text) != said.end()) continue;
    said.push_back(text);
    out.push_back(std::move(*outcome));
  }
  if (out.empty())
    if (auto o = outcome_of(lines)) out.push_back(std::move(*o));
  return out;
}

verify::Outcome unrecognised_lines(const std::vector<std::string>& lines) {
  std::string said;
  for (const auto& line : lines) {
    for (std::string_view level : {"] WARNING: ", "] ERROR: ", "]: WARNING: ", "]: ERROR: "}) {
      const auto at = line.find(level);
      if (at == std::string::npos) continue;
      said = line.substr(at + level.find_first_not_of("]: "));
      break;
    }
    if (!said.empty()) break;
  }
  if (said.empty() && !lines.empty()) said = lines.front();
  return verify::OtherLine{said};
}

std::string edge_answer_meaning(int status) {
  switch (status) {
    case 403:
      return "Expressway-E refused the request itself: it does so for a domain that Expressway-C does not have with Mobile "
             "and Remote Access enabled (Configuration > Domains on Expressway-C: the client's domain, SIP and UC services "
             "On), or for a path it does not forward";
    case 401:
      return "Expressway-E asked the client to authenticate: the user's credentials or token, not an origin's certificate";
    case 502:
    case 503:
    case 504:
      return "Expressway-E could not pass the request to Expressway-C: check the Unified Communications traversal zone "
             "and its SSH tunnels (Status > Unified Communications on both)";
    default:
      return "Expressway-E answered with an error of its own: the request did not reach Expressway-C";
  }
}

}  // namespace mratls::scan
