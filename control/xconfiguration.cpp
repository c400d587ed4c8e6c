#include "control/xconfiguration.hpp"

#include <vector>

#include "config/ascii.hpp"

namespace mratls::control {
namespace {

constexpr std::string_view kCommand = "xConfiguration";
constexpr std::string_view kNode = "EdgeConfigServer";
constexpr std::string_view kLeaf = "VerifyOriginServer";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The command's words, with the colon (wherever it stands) as a word of its own.
std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    if (text[i] == ':') {
      words.push_back(text.substr(i, 1));
      ++i;
      continue;
    }
    std::size_t end = i;
    if (text[i] == '"') {
      end = text.find('"', i + 1);
      end = end == std::string_view::npos ? text.size() : end + 1;
    } else {
      while (end < text.size() && !is_space(text[end]) && text[end] != ':') ++end;
    }
    words.push_back(text.substr(i, end - i));
    i = end;
  }
  return words;
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::expected<XConfiguration, std::string> parse_xconfiguration(std::string_view command) {
  const auto words = words_of(command);
  if (words.empty()) return std::unexpected("empty command: expected " + std::string(kCommand) + " " + std::string(kNode));
  if (!ascii::iequals(words[0], kCommand))
    return std::unexpected("unknown command " + in_quotes(words[0]) + ": only " + std::string(kCommand) + " " +
                           std::string(kNode) + " is emulated");
  if (words.size() < 2) return std::unexpected("incomplete command: expected " + std::string(kCommand) + " " + std::string(kNode));
  if (!ascii::iequals(words[1], kNode))
    return std::unexpected("no such configuration " + in_quotes(words[1]) + ": only " + std::string(kNode) + " is emulated");
  if (words.size() == 2) return ReadEdgeConfigServer{};
  if (!ascii::iequals(words[2], kLeaf))
    return std::unexpected("no such setting " + in_quotes(std::string(kNode) + " " + std::string(words[2])) + ": expected " +
                           std::string(kLeaf));
  if (words.size() == 3) return ReadEdgeConfigServer{};
  if (words[3] != ":") return std::unexpected("expected ':' after " + std::string(kLeaf) + ", found " + in_quotes(words[3]));
  if (words.size() == 4) return std::unexpected(std::string(kLeaf) + ": a value is required (On or Off)");
  if (words.size() > 5) return std::unexpected("unexpected " + in_quotes(words[5]) + " after the value");
  std::string_view value = words[4];
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  if (ascii::iequals(value, "On")) return SetVerifyOriginServer{config::VerifyOriginServer::On};
  if (ascii::iequals(value, "Off")) return SetVerifyOriginServer{config::VerifyOriginServer::Off};
  return std::unexpected(std::string(kLeaf) + ": " + in_quotes(value) + " is not a valid value (On or Off)");
}

std::string read_back(config::VerifyOriginServer value) {
  return "*c " + std::string(kCommand) + " " + std::string(kNode) + " " + std::string(kLeaf) + ": " +
         in_quotes(config::to_string(value));
}

}  // namespace mratls::control
