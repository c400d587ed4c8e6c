// mratls decode / encode: the MRA path segment, as seen in logs and client requests.
#include <nlohmann/json.hpp>

#include <iostream>
#include <regex>

#include "cli/commands.hpp"
#include "mra/mra_path.hpp"

namespace mratls::cli {
namespace {

// Every candidate segment in a URL or log line: the first path segment after a host or after
// the start of an origin-form target.
std::vector<std::string> candidates(const std::string& text) {
  std::vector<std::string> out;
  static const std::regex after_slash(R"((?:^|[\s"]|://[^/\s"]+)/([A-Za-z0-9+_=-]{8,}))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), after_slash); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}

}  // namespace

Action add_decode(CLI::App& app) {
  auto* cmd = app.add_subcommand("decode", "Decode an MRA path segment, a URL or a whole log line");
  auto input = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("INPUT", *input, "c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvODQ0Mw, a URL, or a log line")->required();
  cmd->add_flag("--json", *json, "Print JSON");
  return [input, json]() {
    std::vector<std::string> segments;
    const bool bare = input->find('/') == std::string::npos && input->find(' ') == std::string::npos;
    if (bare) segments.push_back(*input);
    else segments = candidates(*input);
    nlohmann::json out = nlohmann::json::array();
    int decoded = 0;
    for (const auto& s : segments) {
      auto r = mra::decode_segment(s);
      if (!r) {
        if (bare) {
          if (*json) std::cout << json_text(nlohmann::json{{"segment", s}, {"error", r.error().reason}}) << "\n";
          else std::cerr << "mratls decode: " << r.error().reason << "\n";
          return kFindings;
        }
        continue;
      }
      ++decoded;
      if (r->kind == mra::MraSegment::Kind::EdgeConfig) {
        if (*json) out.push_back({{"segment", s}, {"kind", "edge-config"}, {"domain", r->domain}});
        else std::cout << s << " -> " << r->domain << " (edge configuration request)\n";
        continue;
      }
      const auto& t = r->target;
      if (*json) {
        out.push_back({{"segment", s}, {"kind", "origin"}, {"domain", t.domain}, {"protocol", t.protocol},
                       {"host", t.host}, {"port", t.port}, {"host_is_ip", t.host_is_ip}});
      } else {
        std::cout << s << " -> " << t.domain << "/" << t.protocol << "/" << t.host << "/" << t.port << "\n"
                  << "  domain:   " << t.domain << "\n  protocol: " << t.protocol << "\n  host:     " << t.host
                  << (t.host_is_ip ? " (IP address: no SNI is sent, the certificate must name it as a DNS SAN or CN)" : "")
                  << "\n  port:     " << t.port << "\n";
      }
    }
    if (*json) std::cout << json_text(out) << "\n";
    if (decoded == 0) {
      // The proxy's request to the origin: the MRA segment was taken off before it was sent.
      if (input->find("Detail=\"Sending Request\"") != std::string::npos)
        std::cerr << "mratls decode: a Sending Request line carries no MRA path segment: it is the request as sent to the "
                     "origin, after the segment was decoded; the segment is in the Receive Request line with the same "
                     "Txn-id\n";
      else std::cerr << "mratls decode: no MRA path segment found in the input\n";
      return kFindings;
    }
    return kOk;
  };
}

Action add_encode(CLI::App& app) {
  auto* cmd = app.add_subcommand("encode", "Encode domain/protocol/host/port into an MRA path segment");
  auto input = std::make_shared<std::string>();
  cmd->add_option("TARGET", *input, "steven.lab/https/cucm.steven.lab/8443")->required();
  return [input]() {
    auto segment = mra::encode_text(*input);
    if (!segment) {
      std::cerr << "mratls encode: " << segment.error().reason << "\n";
      return kUsage;
    }
    std::cout << *segment << "\n";
    return kOk;
  };
}

}  // namespace mratls::cli
