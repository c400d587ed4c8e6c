#include "check/probe.hpp"

#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/strand.hpp>
#include <asio/use_future.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "logs/line_format.hpp"
#include "mra/mra_path.hpp"
#include "proxy/deadline.hpp"
#include "proxy/origin_connector.hpp"
#include "proxy/response_collector.hpp"
#include "verify/x509_text.hpp"

namespace mratls::check {
namespace {

mra::MraTarget mra_target(const ProbeTarget& t) {
  return mra::MraTarget{"", t.protocol, t.node, t.port, mra::is_ip_literal(t.node)};
}

config::OpenSslText style_of(const proxy::Runtime& rt) { return rt.log ? rt.log->openssl_text() : config::OpenSslText::Expressway; }

// Under TLS 1.3 the server reads the client's certificate after its own Finished, so a node that
// refuses Expressway-C's certificate completes the handshake and sends its alert afterwards: it
// shows only on the first read. One harmless request, then the first byte of the answer or the
// alert (or the handshake timeout, for a server that never answers).
asio::awaitable<std::error_code> first_answer(proxy::OriginConnection::TlsStream& tls, const mra::MraTarget& mra,
                                              std::chrono::milliseconds timeout) {
  proxy::Deadline deadline(tls.get_executor());
  deadline.arm(timeout, [&tls] {
    std::error_code ignored;
    tls.next_layer().cancel(ignored);
  });
  const std::string request = "HEAD / HTTP/1.1\r\nHost: " + mra::host_port(mra.host, mra.port) + "\r\nConnection: close\r\n\r\n";
  std::error_code ec;
  co_await asio::async_write(tls, asio::buffer(request), asio::redirect_error(asio::use_awaitable, ec));
  // Read even after a failed write: a node that refused the certificate may have sent its alert
  // and closed before the request went out, and the alert is what says why.
  const auto write_error = ec;
  char first = 0;
  co_await tls.async_read_some(asio::buffer(&first, 1), asio::redirect_error(asio::use_awaitable, ec));
  if (ec.category() != asio::error::get_ssl_category() && write_error) ec = write_error;
  deadline.disarm();
  co_return ec;
}

}  // namespace

const char* to_string(ProbeOutcome o) {
  switch (o) {
    case ProbeOutcome::Verified: return "verified";
    case ProbeOutcome::Refused: return "refused";
    case ProbeOutcome::TlsFailed: return "tls-failed";
    case ProbeOutcome::ConnectFailed: return "connect-failed";
    case ProbeOutcome::NotTls: return "not-tls";
  }
  return "?";
}

asio::awaitable<Probe> probe_origin(const proxy::Runtime& rt, ProbeTarget target, std::string preference) {
  Probe p;
  p.target = target;
  p.preference = std::move(preference);
  p.prefers = rt.preference;
  p.ciphers = rt.config.expressway.ciphers;
  p.offered = rt.offered;
  const auto mra = mra_target(target);
  const std::string origin = mra::host_port(target.node, target.port);
  auto address = co_await proxy::resolve_origin(rt, mra);
  if (!address) {
    p.error = address.error();
    p.failure = verify::NetworkFailure{origin, p.error};
    co_return p;
  }
  p.ip = address->to_string();
  auto socket = co_await proxy::connect_tcp(rt, mra, *address);
  if (!socket) {
    p.error = socket.error();
    p.failure = verify::NetworkFailure{origin, p.error};
    co_return p;
  }
  if (target.protocol == "http") {
    p.outcome = ProbeOutcome::NotTls;
    co_return p;
  }
  const std::string check_name = proxy::checked_name(rt, mra, p.ip);
  // Every check runs, as in log-only mode; the lines are the ones enforcement writes, which
  // stops at the first failing check.
  verify::OriginVerification verification({check_name, mra.host, p.ip}, verify::Enforcement::LogOnly);
  auto h = co_await proxy::handshake_tls(rt, std::move(*socket), mra, &verification, nullptr);
  p.findings = verification.findings();
  if (h.failed()) {
    p.outcome = ProbeOutcome::TlsFailed;
    p.error = h.failure_text;
    p.x142_lines.push_back(logs::ssl_failed_line(0, check_name, h.failure_text));
    // Not the findings: a handshake that fails on its own fails before X14.2 too.
    p.failure = proxy::handshake_outcomes(h, nullptr, check_name, mra.host_is_ip, style_of(rt), nullptr).front();
    co_return p;
  }
  SSL* ssl = h.tls->native_handle();
  p.tls_version = SSL_get_version(ssl);
  p.cipher = SSL_get_cipher_name(ssl);
  p.checked_name = check_name;
  for (X509* c : proxy::peer_chain(ssl)) {
    p.chain.push_back(verify::summarize(c));
    unsigned char* der = nullptr;
    const int length = i2d_X509(c, &der);
    if (length > 0) p.chain_der.emplace_back(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
  }
  // All or nothing: an offline verdict never works on part of the chain.
  if (p.chain_der.size() != p.chain.size()) p.chain_der.clear();
  p.outcome = p.findings.empty() ? ProbeOutcome::Verified : ProbeOutcome::Refused;
  p.client_certificate_untested = h.certificate_requested && SSL_get_certificate(ssl) == nullptr;
  if (p.outcome == ProbeOutcome::Verified && SSL_version(ssl) >= TLS1_3_VERSION) {
    const auto ec = co_await first_answer(*h.tls, mra, std::chrono::milliseconds(rt.config.timeouts.handshake_ms));
    if (ec.category() == asio::error::get_ssl_category()) {
      p.outcome = ProbeOutcome::TlsFailed;
      p.error = verify::ssl_error_text(static_cast<unsigned long>(ec.value()), style_of(rt));
      p.x142_lines.push_back(logs::ssl_failed_line(0, check_name, p.error));
      p.failure = proxy::post_handshake_outcome(ec, ssl, check_name, p.error);
    }
  }
  if (!p.findings.empty()) {
    const auto identity = verification.identity();
    p.x142_lines.push_back(logs::verification_line(0, p.findings.front(), identity, verify::Enforcement::Enforce, style_of(rt)));
    p.x142_lines.push_back(logs::ssl_failed_line(0, check_name, verify::certificate_verify_failed_text(style_of(rt))));
    // Every finding, in the order met: the first is what X14.2 writes and refuses for.
    auto outcomes = proxy::handshake_outcomes(h, &verification, check_name, mra.host_is_ip, style_of(rt), &rt);
    p.failure = outcomes.front();
    p.also.assign(outcomes.begin() + 1, outcomes.end());
  }
  std::error_code ignored;
  h.tls->next_layer().close(ignored);
  co_return p;
}

std::vector<Probe> run_probes(const std::vector<ProbeJob>& jobs, std::size_t concurrency, unsigned threads,
                              const std::function<void(std::size_t)>& progress) {
  std::vector<Probe> results(jobs.size());
  asio::io_context io(static_cast<int>(std::max(1u, threads)));
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  auto worker = [&]() -> asio::awaitable<void> {
    for (std::size_t i; (i = next++) < jobs.size();) {
      results[i] = co_await probe_origin(*jobs[i].runtime, jobs[i].target, jobs[i].preference);
      auto n = ++done;
      if (progress) {
        std::lock_guard lock(progress_mutex);
        progress(n);
      }
    }
  };
  // Each worker on its own strand: its sockets and deadlines share the strand, so a deadline
  // that fires as a handshake completes cannot run while the connection is being destroyed on
  // another of the pool's threads.
  for (std::size_t w = 0; w < std::max<std::size_t>(1, std::min(concurrency, jobs.size())); ++w)
    asio::co_spawn(asio::make_strand(io), worker(), asio::detached);
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, threads); ++t) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return results;
}

// A servers list is a few KiB; the answer is refused past this.
constexpr std::size_t kMaxAnswerBytes = std::size_t{1} << 20;

std::expected<std::string, std::string> fetch_without_verification(const proxy::Runtime& rt, const ProbeTarget& target,
                                                                   const std::string& path) {
  asio::io_context io(1);
  auto task = [&]() -> asio::awaitable<std::expected<std::string, std::string>> {
    const auto mra = mra_target(target);
    auto address = co_await proxy::resolve_origin(rt, mra);
    if (!address) co_return std::unexpected(address.error());
    auto socket = co_await proxy::connect_tcp(rt, mra, *address);
    if (!socket) co_return std::unexpected(socket.error());
    auto h = co_await proxy::handshake_tls(rt, std::move(*socket), mra, nullptr, nullptr);
    if (h.failed()) co_return std::unexpected("TLS: " + h.failure_text);
    proxy::OriginConnection conn(proxy::origin_key(rt, mra, *address), std::move(h.tls));
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + mra::host_port(mra.host, mra.port) +
                          "\r\nAccept: application/xml\r\nConnection: close\r\n\r\n";
    std::error_code ec;
    co_await conn.write_all(asio::buffer(request), ec);
    if (ec) co_return std::unexpected("write: " + ec.message());
    proxy::ResponseCollector response;
    std::string pending;
    std::size_t received = 0;
    for (;;) {
      pending.erase(0, response.feed(pending));
      if (response.done()) break;
      std::array<char, 16384> buffer;
      auto n = co_await conn.read_some(asio::buffer(buffer), ec);
      received += n;
      if (received > kMaxAnswerBytes)
        co_return std::unexpected("the answer to GET " + path + " exceeds " + std::to_string(kMaxAnswerBytes >> 20) + " MiB");
      pending.append(buffer.data(), n);
      if (ec) {
        pending.erase(0, response.feed(pending));
        response.finish();
        break;
      }
    }
    if (response.status() == 0) co_return std::unexpected("no HTTP response");
    if (response.status() != 200) co_return std::unexpected("HTTP " + std::to_string(response.status()) + " for " + path);
    co_return response.body();
  };
  auto future = asio::co_spawn(io, task(), asio::use_future);
  // A node that finishes TLS and never answers, or trickles: the whole exchange gets the origin
  // timeouts' sum, then everything it holds is destroyed with the context.
  const auto& t = rt.config.timeouts;
  const std::chrono::milliseconds budget(static_cast<long long>(t.connect_ms) + t.handshake_ms + t.origin_response_ms);
  io.run_for(budget);
  if (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    io.stop();
    return std::unexpected("no answer to GET " + path + " within " + std::to_string(budget.count()) + " ms");
  }
  return future.get();
}

}  // namespace mratls::check
