// The differential framing property, client to origin: for any bytes a client sends, the
// requests a strict origin reads are exactly the requests the proxy accepted and allowed, with
// the same method, target and body. The target drives the parts the client session runs on
// these bytes (HttpParser, route_request, origin_request_head, body bytes as the parser
// consumed them), fed in pieces the input chooses, and reads the result with StrictReader.
#include <string>
#include <vector>

#include "arrivals.hpp"
#include "config/ascii.hpp"
#include "fuzz_target.hpp"
#include "proxy/route.hpp"
#include "strict_http.hpp"

namespace {

using namespace mratls;

struct Accepted {
  std::string method, target, body;
};

const proxy::AllowList& allow_list() {
  static const proxy::AllowList list({proxy::AllowRule{"https", "cucm.steven.lab", 8443, "/cucm-uds/", config::MatchType::Prefix,
                                                       {"GET", "POST", "PUT"}, "Automatically generated rule for CUCM server"}});
  return list;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte sets the size of the reads the client's bytes arrive in.
  Arrivals client{std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), 1u + data[0] % 64};

  proxy::HttpParser parser(proxy::HttpParser::Kind::Request, proxy::HttpParser::Limits{4096, 1024, 64});
  parser.keep_payload(true);
  std::string buffer;  // read from the client, not yet consumed
  auto read_more = [&] { return client.read_into(buffer); };
  auto feed = [&] {
    const std::size_t used = parser.feed(buffer);
    std::string consumed = buffer.substr(0, used);
    buffer.erase(0, used);
    return consumed;
  };

  std::vector<Accepted> accepted;
  std::string complete_wire;  // the requests sent whole, back to back on one pooled connection
  std::string partial_wire;   // a request whose body broke: its connection is closed after it
  for (;;) {
    while (!parser.head_ready() && !parser.failed()) {
      feed();
      if (parser.head_ready() || parser.failed() || !read_more()) break;
    }
    if (!parser.head_ready() || parser.failed()) break;
    const auto decision = proxy::route_request(parser.head(), "vcs_control.steven.lab", allow_list(), "127.0.0.1");
    if (decision.refusal()) {
      if (!parser.keep_alive() || parser.has_body()) break;
      parser.feed({});
      if (!parser.message_complete()) break;
      parser.next_message();
      continue;
    }
    const auto& route = *decision.route();
    MRATLS_FUZZ_CHECK(ascii::iequals(route.origin.host, "cucm.steven.lab") && route.origin.port == 8443);
    MRATLS_FUZZ_CHECK(route.origin_path.starts_with("/cucm-uds/"));
    MRATLS_FUZZ_CHECK(!proxy::unsafe_path(route.origin_path));
    logs::HttpMessage logged;
    std::string wire;
    proxy::origin_request_head(parser.head(), route.origin_path, "cucm.steven.lab:8443", true, logged, wire);
    std::string body;
    for (;;) {
      body += feed();
      if (parser.failed() || parser.message_complete() || !read_more()) break;
    }
    wire += body;
    if (!parser.message_complete() || parser.failed()) {
      partial_wire = std::move(wire);
      break;
    }
    accepted.push_back({parser.head().method, route.origin_path, parser.payload()});
    complete_wire += wire;
    if (!parser.keep_alive()) break;
    parser.next_message();
  }

  test::StrictReader origin(test::StrictReader::Kind::Request);
  auto read = origin.feed(complete_wire);
  if (!origin.error().empty()) std::fprintf(stderr, "origin: %s\n", origin.error().c_str());
  MRATLS_FUZZ_CHECK(origin.error().empty());
  MRATLS_FUZZ_CHECK(!origin.mid_message());
  MRATLS_FUZZ_CHECK(read.size() == accepted.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    MRATLS_FUZZ_CHECK(read[i].method == accepted[i].method);
    MRATLS_FUZZ_CHECK(read[i].target == accepted[i].target);
    MRATLS_FUZZ_CHECK(read[i].body == accepted[i].body);
  }
  // What follows on the connection before it closes must never complete into a request.
  if (!partial_wire.empty()) {
    auto extra = origin.feed(partial_wire);
    MRATLS_FUZZ_CHECK(extra.empty());
  }
  return 0;
}
