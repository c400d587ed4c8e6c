#include "lab/live_lab.hpp"

#include "lab/login_runner.hpp"
#include "lab/scenarios.hpp"

namespace mratls::lab {

void attach_lab(control::AdminListener& admin, KeptLab& kept, const std::vector<std::unique_ptr<RunningCluster>>& clusters) {
  auto& api = admin.api();
  auto clusters_json = nlohmann::json::array();
  for (const auto& c : clusters) clusters_json.push_back({{"id", c->cluster().id}, {"description", c->cluster().description}});
  api.add_to_state = [previous = api.add_to_state, clusters_json](nlohmann::json& state) {
    if (previous) previous(state);
    state["lab"] = {{"clusters", clusters_json}};
  };
  api.login = [&admin, &kept, &clusters](const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("cluster") || !body["cluster"].is_string())
      return control::error_response(400, "expected {\"cluster\": \"<id>\"} (GET /api/state lists them under lab.clusters)");
    const auto id = body["cluster"].get<std::string>();
    const RunningCluster* cluster = nullptr;
    for (const auto& c : clusters)
      if (c->cluster().id == id) cluster = c.get();
    if (!cluster) return control::error_response(404, "no cluster \"" + id + "\" in this lab");
    EvidenceSource evidence = [&kept](const std::string& tracking_id) {
      StepEvidence e;
      e.diagnosis = kept.outcomes().diagnosis(tracking_id);
      return e;
    };
    auto& hub = admin.hub();
    hub.publish("login", nlohmann::json{{"cluster", id}, {"started", true}}.dump());
    auto outcome = run_login("127.0.0.1", kept.server().port(), cluster->login_target(kLabPublicName), evidence,
                             [&hub, &id](const StepOutcome& step) {
                               auto event = step_json(step);
                               event["cluster"] = id;
                               hub.publish("login", event.dump());
                             },
                             true);
    auto out = login_json(outcome);
    out["cluster"] = id;
    hub.publish("login", nlohmann::json{{"cluster", id}, {"done", true}, {"status", outcome.status()}}.dump());
    return control::json_response(200, out);
  };
}

}  // namespace mratls::lab
