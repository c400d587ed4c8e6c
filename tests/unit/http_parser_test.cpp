#include <gtest/gtest.h>

#include "proxy/http_parser.hpp"

using namespace mratls::proxy;

TEST(HttpParser, StopsAfterTheHeadAndAfterTheBody) {
  HttpParser p(HttpParser::Kind::Request, {});
  std::string wire = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /y HTTP/1.1\r\nHost: a\r\n\r\n";
  std::string_view rest(wire);
  auto used = p.feed(rest);
  ASSERT_TRUE(p.head_ready());
  EXPECT_EQ(p.head().method, "POST");
  EXPECT_EQ(p.head().target, "/x");
  EXPECT_EQ(*p.head().find("content-length"), "5");
  EXPECT_TRUE(p.has_body());
  rest.remove_prefix(used);
  used = p.feed(rest);
  EXPECT_EQ(used, 5u);  // exactly the body
  EXPECT_TRUE(p.message_complete());
  rest.remove_prefix(used);
  p.next_message();
  used = p.feed(rest);
  ASSERT_TRUE(p.head_ready());
  EXPECT_EQ(p.head().target, "/y");
  EXPECT_FALSE(p.has_body());
  rest.remove_prefix(used);
  p.feed(rest);
  EXPECT_TRUE(p.message_complete());
}

TEST(HttpParser, ChunkedBodyEndsAtTheLastChunk) {
  HttpParser p(HttpParser::Kind::Request, {});
  std::string head = "PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string body = "3\r\nabc\r\n0\r\n\r\n";
  std::string wire = head + body + "NEXT";
  auto used = p.feed(wire);
  EXPECT_EQ(used, head.size());
  EXPECT_TRUE(p.chunked());
  used = p.feed(std::string_view(wire).substr(head.size()));
  EXPECT_EQ(used, body.size());
  EXPECT_TRUE(p.message_complete());
}

TEST(HttpParser, ByteAtATimeGivesTheSameHead) {
  HttpParser p(HttpParser::Kind::Request, {});
  std::string wire = "GET /c3RldmVu/cucm-uds/user/emusk HTTP/1.1\r\nHost: vcs\r\nTrackingID: abc\r\n\r\n";
  for (std::size_t i = 0; i < wire.size() && !p.head_ready(); ++i) ASSERT_EQ(p.feed(std::string_view(&wire[i], 1)), 1u);
  ASSERT_TRUE(p.head_ready());
  EXPECT_EQ(*p.head().find("TrackingID"), "abc");
}

TEST(HttpParser, ResponseWithoutReasonPhraseAsTomcatSendsIt) {
  HttpParser p(HttpParser::Kind::Response, {});
  std::string wire = "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok";
  p.feed(wire);
  ASSERT_TRUE(p.head_ready());
  EXPECT_EQ(p.head().status, 200);
  EXPECT_EQ(p.head().reason, "");
}

TEST(HttpParser, ResponseToHeadHasNoBody) {
  HttpParser p(HttpParser::Kind::Response, {});
  p.expect_no_body(true);
  std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n";
  EXPECT_EQ(p.feed(wire), wire.size());
  EXPECT_TRUE(p.head_ready());
  EXPECT_TRUE(p.message_complete());
}

struct Hostile {
  std::string name;
  std::string wire;
  ParseFailure expected;
  friend void PrintTo(const Hostile& h, std::ostream* os) { *os << h.name; }
};

class HttpParserRefuses : public ::testing::TestWithParam<Hostile> {};

TEST_P(HttpParserRefuses, WithTheRightFailure) {
  HttpParser::Limits limits;
  limits.max_header_bytes = 2048;
  limits.max_target_bytes = 1024;
  HttpParser p(HttpParser::Kind::Request, limits);
  p.feed(GetParam().wire);
  EXPECT_TRUE(p.failed()) << GetParam().name;
  EXPECT_EQ(p.failure(), GetParam().expected) << GetParam().name << ": " << p.failure_text();
  EXPECT_FALSE(p.failure_text().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Smuggling, HttpParserRefuses,
    ::testing::Values(
        Hostile{"CL+TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", ParseFailure::LengthConflict},
        Hostile{"two CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", ParseFailure::LengthConflict},
        Hostile{"TE gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", ParseFailure::BadTransferCoding},
        Hostile{"bare LF", "GET / HTTP/1.1\nHost: a\n\n", ParseFailure::BareLf},
        Hostile{"bare LF in header", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", ParseFailure::BareLf},
        Hostile{"NUL in header", std::string("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 30), ParseFailure::Malformed},
        Hostile{"long target", "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\n\r\n", ParseFailure::UriTooLong},
        Hostile{"big header", "GET / HTTP/1.1\r\nX: " + std::string(3000, 'a') + "\r\n\r\n", ParseFailure::HeaderTooLarge},
        Hostile{"bad method", "G@T / HTTP/1.1\r\n\r\n", ParseFailure::Malformed},
        Hostile{"space in header name", "GET / HTTP/1.1\r\nHo st: a\r\n\r\n", ParseFailure::Malformed},
        Hostile{"bad version", "GET / HTTP/7.5x\r\n\r\n", ParseFailure::Malformed}),
    [](const auto& info) {
      std::string name;
      for (char c : info.param.name) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(HttpParser, TrailersNeitherJoinTheHeadNorChangeTheFraming) {
  // Found by libFuzzer: a trailer named Transfer-Encoding cleared llhttp's chunked flag, and
  // the body was then taken with its chunk framing.
  HttpParser p(HttpParser::Kind::Response, {});
  std::string wire = "HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nTransfer-Encoding: gzip\r\n\r\n";
  std::string_view rest(wire);
  rest.remove_prefix(p.feed(rest));
  ASSERT_TRUE(p.head_ready());
  const auto body = rest;
  rest.remove_prefix(p.feed(rest));
  ASSERT_TRUE(p.message_complete());
  EXPECT_TRUE(rest.empty());
  EXPECT_TRUE(p.chunked());
  EXPECT_EQ(p.head().count("Transfer-Encoding"), 1u);
  EXPECT_EQ(body, "5\r\nhello\r\n0\r\nTransfer-Encoding: gzip\r\n\r\n") << "the framed bytes, forwarded as they came";
}

// A client that reads the body takes the payload from llhttp as it decodes the framing: chunk
// sizes, extensions and trailers left out, across any split of the bytes, and cleared for the
// next message. (A second decoder of the framing once looped for ever under the fuzzer.)
TEST(HttpParser, ThePayloadIsWhatLlhttpHandsOver) {
  const std::string wire = "HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX: y\r\n\r\n"
                           "HTTP/1.1 200 \r\nContent-Length: 4\r\n\r\nwxyz";
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    HttpParser p(HttpParser::Kind::Response, {});
    p.keep_payload(true);
    std::string rest;
    std::vector<std::string> payloads;
    for (auto part : {std::string_view(wire).substr(0, cut), std::string_view(wire).substr(cut)}) {
      rest.append(part);
      for (std::size_t used = 1; used > 0 && !rest.empty();) {
        used = p.feed(rest);
        rest.erase(0, used);
        if (p.message_complete()) {
          payloads.push_back(p.payload());
          p.next_message();
          used = 1;
        }
      }
    }
    ASSERT_FALSE(p.failed()) << cut << ": " << p.failure_text();
    ASSERT_EQ(payloads.size(), 2u) << cut;
    EXPECT_EQ(payloads[0], "abcde") << cut;
    EXPECT_EQ(payloads[1], "wxyz") << cut;
  }
  // A size larger than what follows is not a payload: the message is not complete.
  HttpParser p(HttpParser::Kind::Response, {});
  p.keep_payload(true);
  std::string_view huge = "HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff1\r\nabc\r\n0\r\n\r\n";
  huge.remove_prefix(p.feed(huge));
  p.feed(huge);
  EXPECT_FALSE(p.message_complete());
}

TEST(HttpParser, AnInterimResponseThatNamesABodyLengthIsMalformed) {
  // Found by libFuzzer: a 100 Continue with Transfer-Encoding: chunked was read with a body
  // or without one depending on how the bytes arrived, and the client read it otherwise.
  for (const char* framing : {"Transfer-Encoding: chunked", "Content-Length: 5"}) {
    HttpParser p(HttpParser::Kind::Response, {});
    p.feed(std::string("HTTP/1.1 100 Continue\r\n") + framing + "\r\n\r\n");
    EXPECT_TRUE(p.failed()) << framing;
    EXPECT_EQ(p.failure_text(), "interim response with a body length");
  }
}

// A parser serves message after message, and a reset parser connection after connection: a
// head never keeps a field, a value or a line of the one before (their storage is reused).
TEST(HttpParser, AReusedHeadHoldsOnlyItsOwnFields) {
  HttpParser p(HttpParser::Kind::Request, {});
  const std::string long_value(300, 'v');
  std::string first = "POST /first-target-long-enough HTTP/1.1\r\nHost:   vcs_control.steven.lab\t \r\nX-Long: " + long_value +
                      "\r\nContent-Length: 0\r\n\r\n";
  ASSERT_EQ(p.feed(first), first.size());
  ASSERT_TRUE(p.head_ready());
  EXPECT_EQ(*p.head().find("Host"), "vcs_control.steven.lab");  // trimmed on both sides
  p.feed({});
  ASSERT_TRUE(p.message_complete());
  p.next_message();

  std::string second = "GET /y HTTP/1.0\r\nAccept:  x \r\n\r\n";
  ASSERT_EQ(p.feed(second), second.size());
  ASSERT_TRUE(p.head_ready());
  const HttpHead& h = p.head();
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.target, "/y");
  EXPECT_EQ(h.version(), "HTTP/1.0");
  ASSERT_EQ(h.headers.size(), 1u);
  EXPECT_EQ(h.headers[0].first, "Accept");
  EXPECT_EQ(h.headers[0].second, "x");
  EXPECT_EQ(h.find("Host"), nullptr);
  EXPECT_EQ(h.find("X-Long"), nullptr);
}

TEST(HttpParser, AResetParserForgetsAFailureAndTakesNewLimits) {
  HttpParser p(HttpParser::Kind::Response, {});
  p.feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
  ASSERT_TRUE(p.failed());

  HttpParser::Limits tight;
  tight.max_header_bytes = 40;
  p.reset(tight);
  EXPECT_FALSE(p.failed());
  EXPECT_FALSE(p.head_ready());
  std::string ok = "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";
  EXPECT_EQ(p.feed(ok), ok.size() - 2);
  ASSERT_TRUE(p.head_ready());
  EXPECT_EQ(p.head().status, 404);
  EXPECT_EQ(p.head().reason, "Not Found");
  ASSERT_EQ(p.head().headers.size(), 1u);
  EXPECT_EQ(p.feed("no"), 2u);
  EXPECT_TRUE(p.message_complete());

  p.reset(tight);  // the new limit holds
  p.feed("HTTP/1.1 200 OK\r\nX-Padding: " + std::string(64, 'p') + "\r\n\r\n");
  EXPECT_TRUE(p.failed());
  EXPECT_EQ(p.failure(), ParseFailure::HeaderTooLarge);
}
