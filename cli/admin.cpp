// mratls admin: flips the switches of a running `mratls serve --admin-port` or
// `mratls lab --keep-running --admin-port` through its admin API. Exit codes: 0 done,
// 1 refused by the emulator (the message says why), 2 usage or connection error.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "control/admin_client.hpp"
#include "control/settings.hpp"

namespace mratls::cli {
namespace {

struct AdminOptions {
  std::string to;
  std::string token_file;
  std::string command;  // xconfig
  std::vector<std::string> assignments;
  std::string trust_file;
  std::string trust_sha256;
  bool json = false;
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The reply's error, said once, and the exit code it means.
int report(const control::AdminReply& reply) {
  if (reply.status == 200) return kOk;
  const std::string why = reply.body.is_object() && reply.body.contains("error") ? reply.body["error"].get<std::string>() : reply.text;
  std::cerr << "mratls admin: " << reply.status << ": " << why << "\n";
  return reply.status == 401 || reply.status == 403 || reply.status == 421 ? kUsage : kFindings;
}

void print_state(const nlohmann::json& s, std::ostream& os) {
  os << s.value("system_name", "") << "  " << s.value("version", "") << "  (runtime generation " << s.value("generation", 0) << ")\n";
  os << "  VerifyOriginServer   " << s.value("verify_origin_server", "") << "\n";
  os << "  cipher preference    " << s.value("cipher_preference", "") << "  (" << s.value("ciphers", "") << ")\n";
  if (s.contains("upgraded_from") && s["upgraded_from"].is_string())
    os << "  upgraded from        " << s["upgraded_from"].get<std::string>() << "  (the cipher string that upgrade leaves)\n";
  os << "  trust store          " << s["trust"].size() << " certificate(s)\n";
  for (const auto& t : s["trust"])
    os << "    " << t.value("subject", "") << "\n      SHA-256 " << t.value("sha256", "") << "  until " << t.value("not_after", "") << "\n";
  if (const auto& changes = s.value("admin_changes", nlohmann::json::array()); !changes.empty()) {
    os << "  changed here, kept over the file at a reload (mratls admin export keeps them in a file)\n";
    for (const auto& c : changes) os << "    " << c.get<std::string>() << "\n";
  }
  if (!s.contains("origins")) return;
  os << "  origins\n";
  for (const auto& o : s["origins"]) {
    os << "    " << o.value("host", "") << ":" << o.value("port", 0) << "  last " << o.value("last_status", 0) << "  ("
       << o.value("requests", 0) << " requests)\n";
    if (o.contains("fix") && !o["fix"].get<std::string>().empty()) os << "      fix: " << o["fix"].get<std::string>() << "\n";
  }
}

}  // namespace

Action add_admin(CLI::App& app) {
  auto* cmd = app.add_subcommand("admin", "Change a running proxy's switches through its admin listener (--admin-port)");
  auto o = std::make_shared<AdminOptions>();
  cmd->add_option("--to", o->to, "The admin listener, HOST:PORT")->required();
  cmd->add_option("--token-file", o->token_file, "A file holding the token a non-loopback listener asks for");
  cmd->require_subcommand(1);
  auto* xconfig = cmd->add_subcommand("xconfig", "The appliance's own command, e.g. 'xConfiguration EdgeConfigServer VerifyOriginServer: Off'");
  xconfig->add_option("command", o->command, "The xConfiguration command, quoted as one word")->required();
  auto* set = cmd->add_subcommand(
      "set",
      "Emulator settings: version=X14.0.7 verify_origin_server=on|off|log-only upgraded_from=X12.7|X14.0.7|fresh "
      "cipher_preference=ecdsa|rsa (upgraded_from: the cipher string that upgrade leaves, from the file's)");
  set->add_option("assignments", o->assignments, "key=value ...")->required();
  auto* trust = cmd->add_subcommand("trust", "The trust store (Maintenance > Security > Trusted CA certificate)");
  trust->require_subcommand(1);
  auto* trust_add = trust->add_subcommand("add", "Upload the certificates of a PEM file");
  trust_add->add_option("file", o->trust_file, "PEM file")->required();
  auto* trust_remove = trust->add_subcommand("remove", "Remove a certificate by its SHA-256 fingerprint");
  trust_remove->add_option("sha256", o->trust_sha256, "Fingerprint, with or without colons")->required();
  auto* exported = cmd->add_subcommand(
      "export", "Print the configuration in force, the admin's changes included, as YAML that mratls serve --config reads");
  auto* state = cmd->add_subcommand("state", "Print the switches, the trust store and each origin's last status");
  state->add_flag("--json", o->json, "Print the API's JSON");
  cmd->footer("Exit codes: 0 done, 1 refused by the emulator (the message says why), 2 usage or connection error.");

  return [o, xconfig, set, trust_add, trust_remove, exported, state]() {
    auto target = control::parse_admin_target(o->to);
    if (!target) {
      std::cerr << "mratls admin: --to " << target.error() << "\n";
      return kUsage;
    }
    if (!o->token_file.empty()) {
      auto token = control::read_token_file(o->token_file);
      if (!token) {
        std::cerr << "mratls admin: " << token.error() << "\n";
        return kUsage;
      }
      target->token = std::move(*token);
    }
    auto call = [&](const std::string& method, const std::string& path, const nlohmann::json* body) -> std::optional<control::AdminReply> {
      auto reply = control::admin_call(*target, method, path, body);
      if (!reply) {
        std::cerr << "mratls admin: " << reply.error() << "\n";
        return std::nullopt;
      }
      return *reply;
    };
    if (xconfig->parsed()) {
      nlohmann::json body{{"command", o->command}};
      auto reply = call("POST", "/api/xconfiguration", &body);
      if (!reply) return kUsage;
      if (reply->status == 200) std::cout << reply->body.value("output", "") << "\n";
      return report(*reply);
    }
    if (set->parsed()) {
      auto body = control::settings_json(o->assignments);
      if (!body) {
        std::cerr << "mratls admin: " << body.error() << "\n";
        return kUsage;
      }
      auto reply = call("POST", "/api/settings", &*body);
      if (!reply) return kUsage;
      if (reply->status == 200) {
        for (const auto& c : reply->body["changes"])
          std::cout << c.value("setting", "") << ": " << c.value("before", "") << " -> " << c.value("after", "") << "\n";
        if (reply->body["changes"].empty()) std::cout << "nothing changed\n";
      }
      return report(*reply);
    }
    if (trust_add->parsed()) {
      auto pem = read_file(o->trust_file);
      if (!pem) {
        std::cerr << "mratls admin: " << o->trust_file << ": cannot open the PEM file\n";
        return kUsage;
      }
      nlohmann::json body{{"pem", *pem}};
      auto reply = call("POST", "/api/trust", &body);
      if (!reply) return kUsage;
      if (reply->status == 200)
        for (const auto& c : reply->body["added"]) std::cout << "added " << c.value("subject", "") << "  SHA-256 " << c.value("sha256", "") << "\n";
      return report(*reply);
    }
    if (trust_remove->parsed()) {
      auto reply = call("DELETE", "/api/trust/" + o->trust_sha256, nullptr);
      if (!reply) return kUsage;
      if (reply->status == 200) std::cout << "removed " << reply->body["removed"].value("subject", "") << "\n";
      return report(*reply);
    }
    if (exported->parsed()) {
      auto reply = call("GET", "/api/config", nullptr);
      if (!reply) return kUsage;
      if (reply->status == 200) std::cout << reply->text;
      return report(*reply);
    }
    auto reply = call("GET", "/api/state", nullptr);
    if (!reply) return kUsage;
    if (reply->status == 200) {
      if (o->json) std::cout << json_text(reply->body) << "\n";
      else print_state(reply->body, std::cout);
    }
    (void)state;
    return report(*reply);
  };
}

}  // namespace mratls::cli
