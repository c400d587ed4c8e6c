// The differential framing property, origin to client: for any bytes an origin sends, the
// client reads its answer and nothing else. The target drives the parts the client session
// runs on a response (HttpParser, the interim and 101 rules, client_response_head, body bytes
// as the parser consumed them), fed in pieces the input chooses, and reads what the client gets
// with StrictReader: the same final status and body, framed so that a keep-alive client sees
// the response end exactly where it ends, or a close.
#include <string>
#include <vector>

#include "arrivals.hpp"
#include "fuzz_target.hpp"
#include "proxy/http_write.hpp"
#include "strict_http.hpp"

namespace {
constexpr int kMaxInterim = 8;  // as ClientSession
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mratls;
  if (size == 0) return 0;
  const bool head_request = data[0] & 1;
  const bool client_keep = data[0] & 2;
  Arrivals origin{std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), 1u + (data[0] >> 2)};

  proxy::HttpParser response(proxy::HttpParser::Kind::Response, proxy::HttpParser::Limits{4096, 1024, 64});
  response.keep_payload(true);
  response.expect_no_body(head_request);
  std::string buffer;
  auto read_more = [&] { return origin.read_into(buffer); };

  std::string to_client;
  bool closed_early = false;  // the client connection closes in the middle of a response
  bool keep = false;
  int interim = 0;
  int final_status = 0;
  std::string final_body;
  bool answered = false;
  for (;;) {
    while (!response.head_ready() && !response.failed()) {
      buffer.erase(0, response.feed(buffer));
      if (response.head_ready() || response.failed() || !read_more()) break;
    }
    if (!response.head_ready() || response.failed()) break;  // 502 from the proxy itself
    const auto& rh = response.head();
    if (rh.status == 101 || (rh.status < 200 && ++interim > kMaxInterim)) break;
    const bool close_delimited = response.needs_eof();
    keep = client_keep && !close_delimited;
    logs::HttpMessage logged;
    std::string head;
    proxy::client_response_head(rh, keep, logged, head);
    to_client += head;
    std::string body;
    for (;;) {
      const std::size_t used = response.feed(buffer);
      if (response.failed()) break;
      body += buffer.substr(0, used);
      buffer.erase(0, used);
      if (response.message_complete() || !read_more()) break;
    }
    to_client += body;
    if (response.failed() || !response.message_complete()) {
      if (close_delimited && !response.failed()) {
        response.finish();
        answered = rh.status >= 200;
        final_status = rh.status;
        final_body = body;
      } else {
        closed_early = true;
      }
      break;
    }
    if (rh.status >= 200) {
      answered = true;
      final_status = rh.status;
      final_body = response.payload();
      break;
    }
    response.next_message();
    response.expect_no_body(head_request);
  }

  test::StrictReader client(test::StrictReader::Kind::Response);
  client.answering_head(head_request);
  auto read = client.feed(to_client);
  if (answered && !keep) {
    auto more = client.finish();  // the proxy closes after a response it did not keep alive
    read.insert(read.end(), more.begin(), more.end());
  }
  MRATLS_FUZZ_CHECK(client.error().empty() || closed_early);
  std::vector<test::StrictMessage> finals;
  for (auto& m : read)
    if (m.status >= 200) finals.push_back(m);
  if (answered) {
    MRATLS_FUZZ_CHECK(finals.size() == 1);
    MRATLS_FUZZ_CHECK(finals[0].status == final_status);
    MRATLS_FUZZ_CHECK(finals[0].body == final_body);
    // A kept connection ends exactly where the response does.
    if (keep) MRATLS_FUZZ_CHECK(!client.mid_message());
  } else {
    // Nothing final, or a truncated one the client never takes for whole.
    MRATLS_FUZZ_CHECK(finals.empty());
  }
  return 0;
}
