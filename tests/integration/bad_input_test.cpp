// Malformed and hostile requests, and origins that misbehave: each gets its specific status
// and log line, and the proxy keeps serving.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mra/base64.hpp"
#include "lab/scenarios.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;

namespace {

std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct World {
  std::unique_ptr<lab::MockOrigin> ok, reset, stall, plain_on_tls, slow_http;
  std::uint16_t closed = 0;
  std::unique_ptr<ProxyUnderTest> proxy;
  // The same routes with the short handshake and response timeouts that two cases test (their
  // lines name 1000 ms); every other case has the generous ones of the tests' base.
  std::unique_ptr<ProxyUnderTest> timing;

  World() {
    auto start = [](lab::MockOriginSpec spec) {
      auto o = lab::MockOrigin::start(std::move(spec));
      if (!o) throw std::runtime_error(o.error());
      return std::move(*o);
    };
    ok = start(lab::scenario_origin("ok-fqdn").spec);
    auto behaving = [](lab::OriginBehaviour b, bool tls) {
      lab::MockOriginSpec s;
      s.behaviour = b;
      s.tls = tls;
      return s;
    };
    reset = start(behaving(lab::OriginBehaviour::ResetHandshake, true));
    stall = start(behaving(lab::OriginBehaviour::Stall, true));
    plain_on_tls = start(behaving(lab::OriginBehaviour::PlainHttp, true));
    slow_http = start(behaving(lab::OriginBehaviour::Stall, false));
    closed = closed_port();

    auto config = base_config(LabPki::get());
    config.limits.max_header_bytes = 4096;
    for (auto port : {ok->port(), reset->port(), stall->port(), plain_on_tls->port(), closed})
      config.allow_list.push_back({"https://cucm.steven.lab:" + std::to_string(port) + "/cucm-uds/",
                                   config::MatchType::Prefix, {"GET", "POST"}});
    config.allow_list.push_back({"http://cucm.steven.lab:" + std::to_string(slow_http->port()) + "/",
                                 config::MatchType::Prefix, {"GET"}});
    proxy = std::make_unique<ProxyUnderTest>(config);
    config.timeouts.handshake_ms = 1000;
    config.timeouts.origin_response_ms = 1000;
    timing = std::make_unique<ProxyUnderTest>(config);
  }
};

World& world() {
  static World w;
  return w;
}

std::string ok_path(const std::string& rest = "/cucm-uds/version") {
  return "/" + segment_for("cucm.steven.lab", world().ok->port()) + rest;
}

struct Case {
  std::string name;
  std::function<std::string()> request;
  int status;
  std::string line;  // a line (masked) that must appear, in part
  bool timed = false;  // a test of a timeout: on the proxy with the short ones
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }
};

std::string raw_segment(const std::string& text) { return mra::base64_encode_unpadded(text); }

std::vector<Case> cases() {
  auto get = [](std::string path) { return [path] { return get_request(path); }; };
  auto seg = [](std::string text, std::string rest = "/cucm-uds/version") {
    return [text, rest] { return get_request("/" + raw_segment(text) + rest); };
  };
  return {
      {"bad_base64", get("/c3RldmVu!!bGFi/cucm-uds/version"), 400, "WARNING: Invalid MRA path: MRA path segment 'c3RldmVu!!bGFi' is not base64"},
      {"wrong_field_count", seg("steven.lab/https/cucm.steven.lab"), 400, "expected domain/protocol/host/port, got 3 fields"},
      {"port_zero", seg("steven.lab/https/cucm.steven.lab/0"), 400, "WARNING: Invalid MRA path: MRA port '0' is not in 1-65535"},
      {"port_70000", seg("steven.lab/https/cucm.steven.lab/70000"), 400, "MRA port '70000' is not in 1-65535"},
      {"unknown_protocol", seg("steven.lab/gopher/cucm.steven.lab/70"), 400, "MRA protocol 'gopher' is not https or http"},
      {"bad_host", seg("steven.lab/https/cucm$steven.lab/8443"), 400, "MRA host 'cucm$steven.lab' is neither a DNS name nor an IP address"},
      {"not_in_allow_list", [] { return get_request(ok_path("/ccmadmin/showHome.do")); }, 403,
       "Event=\"Request Denied\" Detail=\"Access denied\" Reason=\"Not in allow list\" Username=\"\" Deployment=\"1\" Method=\"GET\" "
       "Request=\"https://cucm.steven.lab:PORT/ccmadmin/showHome.do\""},
      {"method_not_in_rule", [] { return "DELETE " + ok_path() + " HTTP/1.1\r\nHost: x\r\n\r\n"; }, 403, "Event=\"Request Denied\""},
      {"host_not_configured", [] { return get_request("/" + segment_for("evil.example.com", 443) + "/cucm-uds/version"); }, 403,
       "Request=\"https://evil.example.com:443/cucm-uds/version\""},
      {"oversized_headers", [] { return get_request(ok_path(), "t", "X-Big: " + std::string(5000, 'a') + "\r\n"); }, 431,
       "header fields larger than 4096 bytes"},
      {"uri_too_long", [] { return get_request(ok_path("/cucm-uds/" + std::string(5000, 'a'))); }, 414, "request target longer than"},
      {"cl_and_te", [] { return "POST " + ok_path() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"; },
       400, "Content-Length can't be present with Transfer-Encoding"},
      {"duplicate_cl", [] { return "POST " + ok_path() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello"; },
       400, "Duplicate Content-Length"},
      {"te_gzip", [] { return "POST " + ok_path() + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"; }, 501,
       "Transfer-Encoding other than chunked"},
      {"bare_lf", [] { return "GET " + ok_path() + " HTTP/1.1\nHost: x\n\n"; }, 400, "line ended by LF without CR"},
      {"nul_in_header", [] { return "GET " + ok_path() + " HTTP/1.1\r\nHost: x" + std::string(1, '\0') + "y\r\n\r\n"; }, 400,
       "Invalid header value char"},
      {"space_in_header_name", [] { return "GET " + ok_path() + " HTTP/1.1\r\nHo st: x\r\n\r\n"; }, 400, "invalid header field name 'Ho st'"},
      {"absolute_form_other_host", [] { return "GET http://evil.example.com" + ok_path() + " HTTP/1.1\r\nHost: evil.example.com\r\n\r\n"; },
       400, "WARNING: Absolute-form request for host 'evil.example.com', not this Expressway (vcs_control.steven.lab)"},
      {"unsupported_method", [] { return "TRACE " + ok_path() + " HTTP/1.1\r\nHost: x\r\n\r\n"; }, 501, "WARNING: Unsupported method TRACE"},
      {"connect_method", [] { return "CONNECT cucm.steven.lab:8443 HTTP/1.1\r\nHost: x\r\n\r\n"; }, 501, "Unsupported method CONNECT"},
      {"dot_segments", [] { return get_request(ok_path("/cucm-uds/../ccmadmin/")); }, 400, "Refused path for cucm.steven.lab: dot-segment in path"},
      {"dot_dot_with_path_parameter", [] { return get_request(ok_path("/cucm-uds/..;/ccmadmin/showHome.do")); }, 400,
       "Refused path for cucm.steven.lab: dot-segment in path"},
      {"dot_dot_with_named_parameter", [] { return get_request(ok_path("/cucm-uds/..;x=1/ccmadmin/")); }, 400, "dot-segment in path"},
      {"dot_with_parameter", [] { return get_request(ok_path("/cucm-uds/.;/user/x")); }, 400, "dot-segment in path"},
      {"encoded_slash", [] { return get_request(ok_path("/cucm-uds/..%2fccmadmin")); }, 400, "encoded dot or slash in path"},
      {"edge_config", get("/ZW50LXBhLmNvbQ/get_edge_config?service_name=_cisco-uds"), 404,
       "Edge configuration request for domain ent-pa.com is not emulated"},
      {"origin_port_closed", [] { return get_request("/" + segment_for("cucm.steven.lab", world().closed) + "/cucm-uds/version"); }, 502,
       "WARNING: Connect to origin failed for 'cucm.steven.lab': Connection refused server=cucm.steven.lab(127.0.0.1) port=PORT"},
      {"origin_resets_handshake", [] { return get_request("/" + segment_for("cucm.steven.lab", world().reset->port()) + "/cucm-uds/version"); }, 502,
       "[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': Connection reset by peer"},
      {"origin_stalls_handshake", [] { return get_request("/" + segment_for("cucm.steven.lab", world().stall->port()) + "/cucm-uds/version"); }, 502,
       "[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': handshake timed out", true},
      {"origin_speaks_plain_http", [] { return get_request("/" + segment_for("cucm.steven.lab", world().plain_on_tls->port()) + "/cucm-uds/version"); }, 502,
       "[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': error:1408F10B:SSL routines:ssl3_get_record:wrong version number"},
      {"origin_never_answers", [] { return get_request("/" + segment_for("cucm.steven.lab", world().slow_http->port(), "http") + "/SPDefault.cnf.xml"); }, 504,
       "no response within 1000 ms", true},
  };
}

}  // namespace

class BadInput : public ::testing::TestWithParam<Case> {};

TEST_P(BadInput, GetsItsStatusAndLineAndTheProxyKeepsServing) {
  auto& w = world();
  auto& proxy = GetParam().timed ? *w.timing : *w.proxy;
  const auto before = proxy.sink().lines().size();
  const auto responses = proxy.sink().count("Detail=\"Sending Response\"");
  {
    Client client(proxy.port());
    auto r = client.exchange(GetParam().request());
    EXPECT_EQ(r.status, GetParam().status) << r.reason;
  }
  EXPECT_TRUE(proxy.sink().wait_for_count("Detail=\"Sending Response\"", responses + 1));
  std::vector<std::uint16_t> ports{w.ok->port(), w.reset->port(), w.stall->port(), w.plain_on_tls->port(), w.slow_http->port(), w.closed};
  auto lines = proxy.masked_lines(ports);
  std::vector<std::string> fresh(lines.begin() + static_cast<long>(std::min(before, lines.size())), lines.end());
  bool found = false;
  std::string all;
  for (const auto& l : fresh) {
    found = found || l.find(GetParam().line) != std::string::npos;
    all += "  " + l + "\n";
  }
  EXPECT_TRUE(found) << "expected a line containing: " << GetParam().line << "\nlines:\n" << all;

  Client again(proxy.port());
  auto ok = again.exchange(get_request(ok_path()));
  EXPECT_EQ(ok.status, 200) << "the proxy stopped serving after " << GetParam().name;
  // Every line of this case is written before the next case counts lines (the writer thread
  // is asynchronous: a late line of this request would otherwise satisfy the next case's wait).
  EXPECT_TRUE(proxy.sink().wait_for_count("Detail=\"Sending Response\"", responses + 2));
}

INSTANTIATE_TEST_SUITE_P(Hostile, BadInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });
