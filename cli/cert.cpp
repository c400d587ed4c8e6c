// mratls cert: the certificate doctor. Each problem an engineer meets around MRA certificates
// gets one subcommand: verify (the proxy's verifier offline), match (CSR ↔ certificate), lint
// (one certificate's rules) and truststore (the Expressway-C trust store).
#include "cli/cert_commands.hpp"

namespace mratls::cli {

Action add_cert(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "cert", "Certificate doctor: verify offline, CSR/certificate match, lint, trust-store checks");
  cmd->require_subcommand(1);
  std::vector<std::pair<CLI::App*, Action>> subcommands;
  for (auto add : {cert::add_verify, cert::add_match, cert::add_lint, cert::add_truststore}) {
    Action action = add(*cmd);
    subcommands.emplace_back(cmd->get_subcommands({}).back(), std::move(action));
  }
  return [subcommands] {
    for (const auto& [sub, action] : subcommands)
      if (sub->parsed()) return action();
    return kUsage;
  };
}

}  // namespace mratls::cli
