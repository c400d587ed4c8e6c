// mratls scan: diagnose Expressway diagnostic logs offline — which origins fail, why, and the fix.
#include <iostream>
#include <tuple>

#include <openssl/x509.h>

#include "check/offline_verdict.hpp"
#include "cli/commands.hpp"
#include "scan/log_reader.hpp"
#include "scan/scan_report.hpp"
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
      // The ClientHello shows the cipher string in force: the fix is written for it.
      auto facts = verdict.facts;
      facts.source = verify::Source::Capture;
      if (seen.preference) facts.preference = *seen.preference;
      facts.offered = seen.offered;
      seen.x142_diagnosis = verify::diagnose(facts);
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
    auto inputs = scan::read_inputs(o->files);
    if (!inputs) {
      std::cerr << "mratls scan: " << inputs.error() << "\n";
      return kUsage;
    }
    for (const auto& w : inputs->warnings) std::cerr << "mratls scan: " << w << "\n";
    if (!o->trust.empty()) {
      auto trust = verify::TrustStore::load(o->trust);
      if (!trust) {
        std::cerr << "mratls scan: --trust: " << trust.error() << "\n";
        return kUsage;
      }
      judge_captures(inputs->capture_origins, *trust);
    }
    auto report = scan::scan_inputs(std::move(*inputs), window);
    if (!report) {
      std::cerr << "mratls scan: " << report.error() << "\n";
      return kUsage;
    }
    if (o->json) std::cout << json_text(scan::to_json(*report)) << "\n";
    else scan::write_text(*report, !o->no_evidence, std::cout);
    return report->findings() ? kFindings : kOk;
  };
}

}  // namespace mratls::cli
