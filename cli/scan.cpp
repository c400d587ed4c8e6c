// mratls scan: diagnose Expressway diagnostic logs offline — which origins fail, why, and the fix.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <tuple>

#include <openssl/x509.h>

#include "check/offline_verdict.hpp"
#include "cli/commands.hpp"
#include "scan/capture/capture_report.hpp"
#include "scan/capture/archive_captures.hpp"
#include "scan/log_reader.hpp"
#include "scan/scanner.hpp"
#include "verify/trust_store.hpp"

namespace mratls::cli {
namespace {

struct ScanOptions {
  std::vector<std::string> files;
  std::string since;
  std::string until;
  bool json = false;
  bool no_evidence = false;
  std::vector<std::string> trust;
};

// Each captured chain judged by the proxy's own verifier, as X14.2 would have judged it at the
// time of the capture, for the name the client asked for (the SNI, else the address).
void judge_captures(std::vector<scan::capture::OriginCapture>& origins, const verify::TrustStore& trust) {
  for (auto& origin : origins)
    for (auto& seen : origin.seen) {
      if (seen.chain.empty()) continue;
      std::vector<ossl::X509Ptr> chain;
      for (const auto& c : seen.chain) {
        const auto* der = reinterpret_cast<const unsigned char*>(c.der.data());
        chain.emplace_back(d2i_X509(nullptr, &der, static_cast<long>(c.der.size())));
        if (!chain.back()) break;
      }
      if (!chain.front() || !chain.back()) continue;
      std::vector<X509*> untrusted;
      for (std::size_t i = 1; i < chain.size(); ++i) untrusted.push_back(chain[i].get());
      auto verdict = check::verify_as_x14_2(chain.front().get(), untrusted, trust,
                                            scan::capture::checked_name(origin, seen), origin.server.address, 1,
                                            static_cast<std::time_t>(seen.first_us / 1000000));
      seen.x142_accepted = verdict.accepted;
      seen.x142_lines = verdict.lines;
      // The ClientHello shows the cipher string in force: the fix fits it.
      seen.x142_diagnosis = verify::under_settings(verdict.diagnosis, seen.preference == "RSA-first");
    }
}

std::optional<std::int64_t> parse_time_flag(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return scan::parse_syslog_time(text);
}

}  // namespace

Action add_scan(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "scan", "Diagnose Expressway diagnostic logs (text, .gz, snapshot .tar.gz) and packet captures (pcap, pcapng) offline");
  auto o = std::make_shared<ScanOptions>();
  cmd->add_option("FILE", o->files, "Log files, diagnostic snapshot archives or packet captures, in any order")->required();
  cmd->add_option("--since", o->since, "Only lines at or after this time (2022-07-11T18:55:00+02:00)");
  cmd->add_option("--until", o->until, "Only lines at or before this time");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->add_flag("--no-evidence", o->no_evidence, "Leave out the evidence lines");
  cmd->add_option("--trust", o->trust,
                  "PEM files of the Expressway-C trust store: each captured chain judged as X14.2 would (repeatable)");
  return [o]() {
    scan::ScanWindow window;
    for (auto [flag, text, slot] : {std::tuple{"--since", &o->since, &window.since_ms}, std::tuple{"--until", &o->until, &window.until_ms}}) {
      if (text->empty()) continue;
      *slot = parse_time_flag(*text);
      if (!*slot) {
        std::cerr << "mratls scan: " << flag << " '" << *text << "' is not a time such as 2022-07-11T18:55:00+02:00\n";
        return kUsage;
      }
    }
    // Captures are told apart by their first bytes, also inside archives (a snapshot's
    // tcpdumps) and compressed; everything else is read as logs.
    std::vector<std::string> logs;
    std::vector<scan::capture::CaptureScan> captures;
    for (const auto& file : o->files) {
      if (scan::capture::is_capture_file(file)) {
        auto read = scan::capture::read_capture_scan(file);
        if (!read) {
          std::cerr << "mratls scan: " << read.error() << "\n";
          return kUsage;
        }
        captures.push_back(std::move(*read));
        continue;
      }
      auto inside = scan::capture::read_archive_captures(file);
      if (!inside) {
        std::cerr << "mratls scan: " << inside.error() << "\n";
        return kUsage;
      }
      for (auto& c : inside->captures) captures.push_back(std::move(c));
      if (!inside->whole_file_is_capture) logs.push_back(file);
    }
    std::vector<scan::capture::Handshake> handshakes;
    std::uint64_t connections_not_read = 0;
    for (const auto& c : captures) {
      if (!c.input.read.truncated.empty())
        std::cerr << "mratls scan: " << c.input.name << ": the capture is cut short after " << c.input.read.frames
                  << " frames (" << c.input.read.truncated << "); read up to there\n";
      handshakes.insert(handshakes.end(), c.handshakes.begin(), c.handshakes.end());
      connections_not_read += c.connections_not_read;
    }
    auto capture_origins = scan::capture::by_origin(handshakes);
    if (!o->trust.empty()) {
      auto trust = verify::TrustStore::load(o->trust);
      if (!trust) {
        std::cerr << "mratls scan: --trust: " << trust.error() << "\n";
        return kUsage;
      }
      judge_captures(capture_origins, *trust);
    }
    // A failure found in any input is a finding: a refused chain, or a fatal alert.
    const bool capture_failures = std::ranges::any_of(capture_origins, scan::capture::shows_failure);
    const auto without_tls = std::ranges::count_if(handshakes, [](const auto& h) { return !h.from_client.tls && !h.from_server.tls; });
    auto captures_json = [&] {
      nlohmann::json inputs = nlohmann::json::array();
      for (const auto& c : captures)
        inputs.push_back({{"file", c.input.name}, {"format", c.input.read.format}, {"link_type", c.input.read.link_type},
                          {"frames", c.input.read.frames}, {"tcp_segments", c.input.tcp_segments},
                          {"truncated", c.input.read.truncated}});
      return nlohmann::json{{"inputs", inputs},
                            {"connections_not_read", connections_not_read},
                            {"connections_without_tls_handshake", without_tls},
                            {"origins", scan::capture::capture_json(capture_origins)}};
    };
    auto print_captures = [&] {
      if (captures.empty()) return;
      std::cout << "\nCaptures (";
      for (std::size_t i = 0; i < captures.size(); ++i)
        std::cout << (i ? "; " : "") << captures[i].input.name << ": " << captures[i].input.read.frames << " frames, "
                  << captures[i].input.tcp_segments << " TCP segments";
      std::cout << "):\n";
      if (capture_origins.empty()) std::cout << "\nno TLS handshake in the capture\n";
      scan::capture::print_capture(capture_origins, std::cout);
      if (without_tls > 0)
        std::cout << "\n" << without_tls << " TCP connection" << (without_tls == 1 ? "" : "s")
                  << " without a TLS handshake in the capture (plain traffic, or opened before the capture began)\n";
      if (connections_not_read > 0)
        std::cout << connections_not_read << " connections not read: the capture holds more than "
                  << "the reader keeps at once\n";
    };
    auto captures_only = [&] {
      if (o->json) std::cout << nlohmann::json{{"schema", "mratls.scan/1"}, {"captures", captures_json()}}.dump(2) << "\n";
      else print_captures();
      return capture_failures ? kFindings : kOk;
    };
    if (logs.empty()) return captures_only();
    scan::Scanner scanner(window);
    std::vector<std::string> skipped;
    auto merged = scan::scan_files(logs, scanner, skipped);
    if (!merged) {
      std::cerr << "mratls scan: " << merged.error() << "\n";
      return kUsage;
    }
    auto origins = scanner.origins();
    scan::capture::join_logs(capture_origins, origins);
    const auto& st = scanner.stats();
    if (st.traffic_lines == 0 && !captures.empty()) return captures_only();
    if (st.traffic_lines == 0) {
      std::cerr << "mratls scan: no traffic_server line in the input (" << st.lines << " lines read)\n";
      return kUsage;
    }
    bool failures = capture_failures, verification_failures = false;
    for (const auto& og : origins) {
      failures = failures || og.failed + og.denied > 0;
      for (const auto& [cause, count] : og.causes) verification_failures = verification_failures || verify::is_verification_failure(cause);
    }

    if (o->json) {
      nlohmann::json out{{"schema", "mratls.scan/1"},
                         {"stats",
                          {{"lines", st.lines}, {"traffic_lines", st.traffic_lines}, {"foreign_lines", st.foreign_lines},
                           {"garbled_lines", st.garbled_lines}, {"transactions", st.transactions},
                           {"incomplete_transactions", st.incomplete_transactions}, {"outside_window", st.outside_window},
                           {"undecodable_paths", st.undecodable_paths}}},
                         {"skipped", skipped}};
      out["origins"] = nlohmann::json::array();
      for (const auto& og : origins) {
        nlohmann::json ev = nlohmann::json::array();
        for (const auto& e : og.evidence) ev.push_back({{"decoded", e.decoded}, {"lines", e.lines}});
        out["origins"].push_back({{"origin", og.host + ":" + std::to_string(og.port)}, {"host", og.host}, {"port", og.port},
                                  {"requests", og.requests}, {"ok", og.ok}, {"failed", og.failed}, {"denied", og.denied},
                                  {"first_failure", og.first_failure}, {"last_failure", og.last_failure},
                                  {"signature", verify::to_string(og.diagnosis.cause)}, {"summary", og.diagnosis.summary},
                                  {"fix", og.diagnosis.fix}, {"notes", og.notes}, {"evidence", ev}});
      }
      if (!captures.empty()) out["captures"] = captures_json();
      std::cout << out.dump(2) << "\n";
      return failures ? kFindings : kOk;
    }
    std::cout << "Origins (" << st.transactions << " transactions from " << st.traffic_lines << " traffic_server lines):\n";
    for (const auto& og : origins) {
      std::cout << "\n" << og.host << ":" << og.port << "  requests " << og.requests << ", 2xx " << og.ok << ", failed "
                << og.failed << (og.denied ? ", denied " + std::to_string(og.denied) : std::string());
      if (og.failed + og.denied == 0) {
        std::cout << "  healthy\n";
        continue;
      }
      std::cout << "\n  failing " << og.first_failure << " .. " << og.last_failure << "\n  signature: "
                << verify::to_string(og.diagnosis.cause) << ": " << og.diagnosis.summary << "\n";
      if (!og.diagnosis.fix.empty()) std::cout << "  fix: " << og.diagnosis.fix << "\n";
      for (const auto& n : og.notes) std::cout << "  note: " << n << "\n";
      if (o->no_evidence) continue;
      for (const auto& e : og.evidence) {
        std::cout << "  evidence: " << e.decoded << "\n";
        for (const auto& l : e.lines) std::cout << "    " << l << "\n";
      }
    }
    std::cout << "\nread " << st.lines << " lines: " << st.traffic_lines << " traffic_server, " << st.foreign_lines
              << " from other programs, " << st.garbled_lines << " garbled or truncated; " << st.incomplete_transactions
              << " transactions without their response";
    if (st.outside_window) std::cout << "; " << st.outside_window << " outside --since/--until";
    std::cout << "\n";
    for (const auto& s : skipped) std::cout << "skipped " << s << "\n";
    // Only where it would help: a refused client certificate or the network is not verification.
    if (verification_failures) std::cout << verify::kVerifyOffWorkaround << "\n";
    print_captures();
    return failures ? kFindings : kOk;
  };
}

}  // namespace mratls::cli
