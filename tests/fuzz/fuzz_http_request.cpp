// The request parser on arbitrary bytes, fed whole and fed in two pieces split at a point the
// input chooses: both must reach the same verdict and the same head, or a client could make the
// proxy and an origin disagree about where a request ends.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_target.hpp"
#include "proxy/http_parser.hpp"

namespace {

using mratls::proxy::HttpParser;

struct Outcome {
  bool failed = false;
  bool head_ready = false;
  bool complete = false;
  std::string method, target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t consumed = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome parse(const std::vector<std::string_view>& pieces) {
  HttpParser parser(HttpParser::Kind::Request, HttpParser::Limits{4096, 1024, 64});
  std::string pending;
  std::size_t consumed = 0;
  for (auto piece : pieces) {
    pending.append(piece);
    // One empty feed is allowed past a pause at the end of the head; then wait for bytes.
    for (int round = 0; round < 64; ++round) {
      const std::size_t used = parser.feed(pending);
      pending.erase(0, used);
      consumed += used;
      if (parser.failed() || parser.message_complete() || (used == 0 && round > 0)) break;
    }
    if (parser.failed() || parser.message_complete()) break;
  }
  Outcome o{parser.failed(), parser.head_ready(), parser.message_complete(), {}, {}, {}, consumed};
  if (parser.head_ready() && !parser.failed()) {
    o.method = parser.head().method;
    o.target = parser.head().target;
    o.headers = parser.head().headers;
  }
  return o;
}

std::string describe(const Outcome& o) {
  return "failed=" + std::to_string(o.failed) + " head_ready=" + std::to_string(o.head_ready) +
         " complete=" + std::to_string(o.complete) + " consumed=" + std::to_string(o.consumed) + " target=" + o.target;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Outcome whole = parse({input});
  const std::size_t cut = size == 0 ? 0 : data[0] % size;
  const Outcome split = parse({input.substr(0, cut), input.substr(cut)});
  // A refused request is refused whole, whatever had been parsed before the refusal; an
  // accepted one has the same head and, once complete, the same length.
  const bool same = whole.failed ? split.failed
                                 : whole.head_ready == split.head_ready && whole.complete == split.complete &&
                                       whole.method == split.method && whole.target == split.target &&
                                       whole.headers == split.headers && (!whole.complete || whole.consumed == split.consumed);
  if (!same) std::fprintf(stderr, "cut at %zu\n  whole: %s\n  split: %s\n", cut, describe(whole).c_str(), describe(split).c_str());
  MRATLS_FUZZ_CHECK(same);
  return 0;
}
