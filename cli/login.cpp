// mratls login: replays the MRA login request sequence through any running proxy.
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <thread>

#include "cli/commands.hpp"
#include "control/admin_client.hpp"
#include "lab/login_runner.hpp"
#include "scan/outcome_text.hpp"

namespace mratls::cli {
namespace {

struct LoginOptions {
  std::string proxy = "127.0.0.1:8443";
  std::string log_file;
  std::string admin;       // HOST:PORT of the proxy's admin listener
  std::string token_file;
  lab::LoginTarget target;
  bool json = false;
};

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

Action add_login(CLI::App& app) {
  auto* cmd = app.add_subcommand("login", "Replay an MRA login (UDS, TFTP, IM&P, Unity) through a running proxy");
  auto o = std::make_shared<LoginOptions>();
  cmd->add_option("--proxy", o->proxy, "The proxy, HOST:PORT (IPv4)")->capture_default_str();
  cmd->add_option("--public-name", o->target.public_name, "The Expressway name clients use")->capture_default_str();
  cmd->add_option("--domain", o->target.domain, "The MRA domain")->capture_default_str();
  cmd->add_option("--user", o->target.user, "The user signing in")->capture_default_str();
  cmd->add_option("--cucm", o->target.cucm, "The CUCM publisher as configured on Expressway-C")->required();
  cmd->add_option("--home-node", o->target.home_node, "The user's home node (default: what clusterUser answers)");
  cmd->add_option("--tftp", o->target.tftp, "The TFTP server (default: the publisher)");
  cmd->add_option("--tftp-port", o->target.tftp_port, "6972 (HTTPS) or 6970 (HTTP)")->capture_default_str();
  cmd->add_option("--imp", o->target.imp, "An IM&P node (adds the IM&P step)");
  cmd->add_option("--unity", o->target.unity, "A Unity Connection node (adds the voicemail step)");
  cmd->add_option("--log", o->log_file, "The proxy's log file, to explain a failing step");
  cmd->add_option("--admin", o->admin,
                  "The proxy's admin listener, HOST:PORT: the failing steps' lines are fetched from it (no log file needed)");
  cmd->add_option("--token-file", o->token_file, "The admin listener's token, for a non-loopback listener");
  cmd->add_flag("--json", o->json, "Print JSON");
  return [o]() {
    static const std::regex host_port(R"(^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$)");
    std::smatch m;
    if (!std::regex_match(o->proxy, m, host_port) || std::stoi(m[2]) < 1 || std::stoi(m[2]) > 65535) {
      std::cerr << "mratls login: --proxy '" << o->proxy << "' is not IPv4:PORT\n";
      return kUsage;
    }
    if (!o->log_file.empty() && !std::ifstream(o->log_file)) {
      std::cerr << "mratls login: " << o->log_file << ": cannot open the log file\n";
      return kUsage;
    }
    if (!o->admin.empty() && !o->log_file.empty()) {
      std::cerr << "mratls login: --admin and --log are two ways to the same lines: give one\n";
      return kUsage;
    }
    // From a log file or the admin listener there are lines only: scan maps them back to an outcome.
    lab::EvidenceSource evidence;
    bool passing_lines = !o->log_file.empty();
    if (!o->admin.empty()) {
      auto to = control::parse_admin_target(o->admin);
      if (!to) {
        std::cerr << "mratls login: --admin: " << to.error() << "\n";
        return kUsage;
      }
      if (!o->token_file.empty()) {
        auto token = control::read_token_file(o->token_file);
        if (!token) {
          std::cerr << "mratls login: " << token.error() << "\n";
          return kUsage;
        }
        to->token = *token;
      }
      // Through the admin listener the settings in force are known: the fixes are given for them.
      std::optional<verify::CertificatePreference> preference;
      if (auto state = control::admin_call(*to, "GET", "/api/state"); state && state->body.is_object()) {
        preference = state->body.value("cipher_preference", "") == "rsa" ? verify::CertificatePreference::Rsa
                                                                         : verify::CertificatePreference::Ecdsa;
        passing_lines = state->body.value("verify_origin_server", "") == "log-only";
      }
      evidence = [to = *to, preference](const std::string& tracking_id) {
        lab::StepEvidence e;
        e.preference = preference;
        // The proxy writes asynchronously: ask until the transaction is complete, up to 3 s.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        do {
          auto reply = control::admin_call(to, "GET", "/api/transactions/" + tracking_id);
          if (reply && reply->status == 200 && reply->body.is_object()) {
            e.reasons = reply->body.value("reasons", std::vector<std::string>{});
            if (reply->body.contains("cause"))
              e.diagnosis = verify::Diagnosis{verify::cause_from_string(reply->body.value("cause", "")),
                                              reply->body.value("summary", ""),
                                              reply->body.value("fixes", std::vector<std::string>{}), reply->body.value("fix", "")};
            if (reply->body.value("complete", false)) break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        } while (std::chrono::steady_clock::now() < until);
        e.outcomes = scan::outcomes_of(e.reasons);
        return e;
      };
    }
    if (!o->log_file.empty())
      evidence = [path = o->log_file](const std::string& tracking_id) {
        lab::StepEvidence e;
        e.reasons = lab::transaction_reasons([&path] { return read_lines(path); }, tracking_id);
        e.outcomes = scan::outcomes_of(e.reasons);
        return e;
      };
    // Under log-only a passing step can carry findings: with the lines at hand, every step is read.
    auto outcome = lab::run_login(m[1], static_cast<std::uint16_t>(std::stoi(m[2])), o->target, evidence, {}, passing_lines);
    if (outcome.steps.empty() || outcome.steps.front().status == 0) {
      std::cerr << "mratls login: no answer from the proxy at " << o->proxy << "\n";
      return kUsage;
    }
    if (o->json) std::cout << json_text(lab::login_json(outcome)) << "\n";
    else lab::print_login(outcome, std::cout);
    return outcome.first_failure || outcome.warned() ? kFindings : kOk;
  };
}

}  // namespace mratls::cli
