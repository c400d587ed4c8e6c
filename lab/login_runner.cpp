#include "lab/login_runner.hpp"

#include <chrono>
#include <memory>
#include <random>
#include <regex>
#include <thread>

#include "logs/line_format.hpp"
#include "logs/transaction_lines.hpp"
#include "proxy/blocking_client.hpp"

namespace mratls::lab {
namespace {

std::string run_id() {
  std::mt19937 rng{std::random_device{}()};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rng()));
  return buf;
}

std::string home_node_in(const std::string& cluster_user_xml) {
  static const std::regex hostname(R"(<hostname>([^<]+)</hostname>)");
  std::smatch m;
  return std::regex_search(cluster_user_xml, m, hostname) ? m[1].str() : std::string();
}

}  // namespace

std::vector<std::string> transaction_reasons(const std::function<std::vector<std::string>()>& log,
                                             const std::string& tracking_id) {
  logs::TransactionLines t;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  do {
    t = logs::transaction_lines(log(), tracking_id);
    if (!t.txn_id.empty() && !t.lines.empty() && t.lines.back().find(logs::words::kSendingResponseField) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < until);
  return t.reasons;
}

EvidenceSource evidence_of(lab::InProcessProxy& proxy) {
  return [&proxy](const std::string& tracking_id) {
    StepEvidence e;
    e.reasons = transaction_reasons(
        [&proxy] {
          proxy.log()->flush();
          return proxy.sink().lines();
        },
        tracking_id);
    e.diagnosis = proxy.outcomes().diagnosis(tracking_id);
    return e;
  };
}

LoginOutcome run_login(const std::string& address, std::uint16_t port, LoginTarget target, const EvidenceSource& evidence,
                       const std::function<void(const StepOutcome&)>& on_step, bool passing_lines) {
  LoginOutcome out;
  const std::string id = run_id();
  std::unique_ptr<proxy::BlockingClient> client;
  auto steps = login_steps(target);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!client || !client->connected()) client = std::make_unique<proxy::BlockingClient>(address, port);
    const std::string tracking = "mratls-login-" + id + "-" + std::to_string(i + 1);
    client->send_raw(login_request(target, steps[i], tracking));
    auto response = client->read_response();
    if (response.closed) client.reset();

    StepOutcome step{steps[i], response.status, {}, {}};
    const bool passed = response.status == 200;
    // A failing step is explained; a passing one too where log-only wrote findings on it.
    if (evidence && (!passed || passing_lines)) {
      auto known = evidence(tracking);
      step.reasons = std::move(known.reasons);
      if (known.diagnosis) {
        step.diagnosis = *known.diagnosis;
      } else if (!known.outcomes.empty()) {
        verify::Facts facts{std::move(known.outcomes), known.preference.value_or(verify::CertificatePreference::Ecdsa)};
        facts.passed_by_log_only = passed;
        step.diagnosis = verify::diagnose(facts);
      }
    }
    if (!passed && !out.first_failure) out.first_failure = out.steps.size();
    out.steps.push_back(std::move(step));
    if (on_step) on_step(out.steps.back());
    // The home cluster lookup names the node the user's requests go to next, as advertised.
    if (steps[i].target.find("/cucm-uds/clusterUser") != std::string::npos && response.status == 200) {
      auto home = home_node_in(response.body);
      if (!home.empty() && home != target.home_node) {
        target.home_node = home;
        steps = login_steps(target);
      }
    }
  }
  return out;
}

}  // namespace mratls::lab
