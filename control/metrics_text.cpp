#include "control/metrics_text.hpp"

namespace mratls::control {
namespace {

std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

std::string prometheus_text(const proxy::MetricsSnapshot& m) {
  std::string out;
  family(out, "mratls_http_responses_total", "counter", "Responses sent to clients, by status code.");
  for (const auto& [status, n] : m.responses)
    out += "mratls_http_responses_total{code=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  family(out, "mratls_origin_verification_failures_total", "counter",
         "Origin connections refused by certificate verification, by origin (host:port) and reason.");
  for (const auto& [key, n] : m.verification_failures)
    out += "mratls_origin_verification_failures_total{origin=\"" + label(key.first) + "\",reason=\"" + label(key.second) + "\"} " +
           std::to_string(n) + "\n";
  family(out, "mratls_origin_tls_handshakes_total", "counter", "TLS handshakes with origins, by result.");
  out += "mratls_origin_tls_handshakes_total{result=\"ok\"} " + std::to_string(m.origin_handshakes_ok) + "\n";
  out += "mratls_origin_tls_handshakes_total{result=\"failed\"} " + std::to_string(m.origin_handshakes_failed) + "\n";
  family(out, "mratls_origin_pool_reuses_total", "counter", "Requests sent on an idle pooled origin connection.");
  out += "mratls_origin_pool_reuses_total " + std::to_string(m.pool_reuses) + "\n";
  family(out, "mratls_client_connections", "gauge", "Open client connections.");
  out += "mratls_client_connections " + std::to_string(m.client_connections) + "\n";
  family(out, "mratls_accept_failures_total", "counter", "Connections not accepted for lack of descriptors or memory (each retried).");
  out += "mratls_accept_failures_total " + std::to_string(m.accept_failures) + "\n";
  return out;
}

nlohmann::json origins_json(const std::vector<proxy::OriginStatus>& origins) {
  auto out = nlohmann::json::array();
  for (const auto& o : origins)
    out.push_back({{"host", o.host},
                   {"port", o.port},
                   {"requests", o.requests},
                   {"last_status", o.last_status},
                   {"last_lines", o.last_lines},
                   {"cause", o.cause},
                   {"summary", o.summary},
                   {"fix", o.fix},
                   {"fixes", o.fixes},
                   {"passed_by_log_only", o.passed_by_log_only}});
  return out;
}

}  // namespace mratls::control
