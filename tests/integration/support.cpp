#include "support.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>

#include "logs/log.hpp"
#include "proxy/http_parser.hpp"
#include "proxy/mra_path.hpp"

namespace mratls::test {

void MemorySink::sink_it_(const spdlog::details::log_msg& msg) {
  lines_.emplace_back(msg.payload.data(), msg.payload.size());
  changed_.notify_all();
}

std::vector<std::string> MemorySink::lines() {
  std::lock_guard lock(mutex_);
  return lines_;
}

bool MemorySink::wait_for(const std::string& needle, std::chrono::milliseconds timeout) {
  return wait_for_count(needle, 1, timeout);
}

bool MemorySink::wait_for_count(const std::string& needle, std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    return static_cast<std::size_t>(std::count_if(lines_.begin(), lines_.end(), [&](const std::string& l) {
             return l.find(needle) != std::string::npos;
           })) >= count;
  });
}

std::size_t MemorySink::count(const std::string& needle) {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(lines_.begin(), lines_.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; }));
}

const LabPki& LabPki::get() {
  static const LabPki pki = [] {
    LabPki p;
    p.root = lab::make_ca("mratls Lab Root CA");
    p.intermediate = lab::make_ca("mratls Lab Issuing CA", &p.root);
    p.other_root = lab::make_ca("Unknown Root CA");
    p.other_intermediate = lab::make_ca("Unknown Issuing CA", &p.other_root);
    p.dir = std::filesystem::temp_directory_path() / ("mratls-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(p.dir);
    p.trust_file = (p.dir / "lab-root.pem").string();
    std::ofstream(p.trust_file) << p.root.cert_pem();
    return p;
  }();
  return pki;
}

config::Config base_config(const LabPki& pki) {
  config::Config c;
  c.source = "test.yaml";
  c.listen.address = "127.0.0.1";
  c.listen.port = 0;
  c.listen.public_name = "vcs_control.steven.lab";
  c.expressway.trusted_ca_certificates = {pki.trust_file};
  c.hosts["cucm.steven.lab"] = "127.0.0.1";
  c.threads = 1;
  c.timeouts.connect_ms = 2000;
  c.timeouts.handshake_ms = 1000;
  c.timeouts.origin_response_ms = 1000;
  c.timeouts.client_header_ms = 1000;
  return c;
}

Client::Client(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ADD_FAILURE() << "cannot connect to the proxy";
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

void Client::send_raw(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

HttpResult Client::read_response(bool head_request) {
  HttpResult r;
  proxy::HttpParser parser(proxy::HttpParser::Kind::Response, {});
  parser.expect_no_body(head_request);
  std::string body_bytes;
  bool in_body = false;
  for (;;) {
    if (!pending_.empty()) {
      auto used = parser.feed(pending_);
      if (parser.failed()) break;
      if (in_body) body_bytes += pending_.substr(0, used);
      pending_.erase(0, used);
      if (parser.head_ready() && !in_body) {
        in_body = true;
        r.status = parser.head().status;
        r.reason = parser.head().reason;
        r.headers = parser.head().headers;
        if (r.status < 200) {  // interim: keep reading for the final response
          parser.next_message();
          in_body = false;
          continue;
        }
      }
      if (parser.message_complete()) break;
      if (!pending_.empty()) continue;
    }
    char buf[16384];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      r.closed = true;
      parser.finish();
      break;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
  }
  // De-chunk for the test's convenience.
  if (parser.chunked()) {
    std::string plain;
    std::size_t pos = 0;
    while (pos < body_bytes.size()) {
      auto eol = body_bytes.find("\r\n", pos);
      auto size = std::stoul(body_bytes.substr(pos, eol - pos), nullptr, 16);
      plain += body_bytes.substr(eol + 2, size);
      pos = eol + 2 + size + 2;
      if (size == 0) break;
    }
    body_bytes = plain;
  }
  r.body = body_bytes;
  if (const auto* c = parser.head().find("Connection"); c && *c == "close") r.closed = true;
  return r;
}

bool Client::peer_closed() {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 2000) <= 0) return false;
  char b;
  return ::recv(fd_, &b, 1, MSG_PEEK) == 0;
}

ProxyUnderTest::ProxyUnderTest(config::Config config) {
  sink_ = std::make_shared<MemorySink>();
  log_ = logs::Log::over_sink(sink_, config.log, config.expressway.system_name);
  auto rt = proxy::Runtime::build(std::move(config), log_);
  if (!rt) throw std::runtime_error(rt.error());
  server_ = std::make_unique<proxy::Server>(*rt);
  if (auto ok = server_->listen(); !ok) throw std::runtime_error(ok.error());
  server_->start();
}

ProxyUnderTest::~ProxyUnderTest() {
  server_->stop();
  server_->wait();
}

std::vector<std::string> ProxyUnderTest::masked_lines(const std::vector<std::uint16_t>& origin_ports) {
  log_->flush();
  static const std::regex prefix(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d vcsc traffic_server\[\d+\]: )");
  static const std::regex utc(R"(UTCTime="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}")");
  std::vector<std::string> out;
  for (auto line : sink_->lines()) {
    std::smatch m;
    if (!std::regex_search(line, m, prefix) || m.position(0) != 0) {
      out.push_back("UNPREFIXED: " + line);
      continue;
    }
    line = line.substr(static_cast<std::size_t>(m.length(0)));
    line = std::regex_replace(line, utc, "UTCTime=\"T\"");
    for (auto p : origin_ports) {
      auto text = std::to_string(p);
      for (std::size_t at; (at = line.find(":" + text)) != std::string::npos;) line.replace(at + 1, text.size(), "PORT");
      for (std::size_t at; (at = line.find("port=\"" + text + "\"")) != std::string::npos;)
        line.replace(at + 6, text.size(), "PORT");
      for (std::size_t at; (at = line.find("port=" + text)) != std::string::npos;) line.replace(at + 5, text.size(), "PORT");
    }
    line = std::regex_replace(line, std::regex(R"((Src|Dst)-port="\d+")"), "$1-port=\"C\"");
    out.push_back(line);
  }
  return out;
}

std::string get_request(const std::string& path, const std::string& tracking, const std::string& extra_headers) {
  return "GET " + path + " HTTP/1.1\r\nHost: vcs_control.steven.lab:8443\r\nTrackingID: " + tracking + "\r\n" +
         extra_headers + "\r\n";
}

std::string segment_for(const std::string& host, std::uint16_t port, const std::string& protocol) {
  return proxy::encode_segment({"steven.lab", protocol, host, port, proxy::is_ip_literal(host)});
}

}  // namespace mratls::test
