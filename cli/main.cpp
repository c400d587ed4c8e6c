// mratls: an emulator of the Expressway-C traffic server on the MRA path.
#include <iostream>
#include <vector>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mratls - emulates the Cisco Expressway-C traffic server for Mobile and Remote Access (X14.2 origin verification)",
               "mratls"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mratls " MRATLS_VERSION);
  std::vector<std::pair<CLI::App*, mratls::cli::Action>> commands;
  auto remember = [&](mratls::cli::Action action) { commands.emplace_back(app.get_subcommands({}).back(), std::move(action)); };
  remember(mratls::cli::add_serve(app));
  remember(mratls::cli::add_decode(app));
  remember(mratls::cli::add_encode(app));
  remember(mratls::cli::add_lab(app));
  remember(mratls::cli::add_login(app));
  remember(mratls::cli::add_check(app));
  remember(mratls::cli::add_scan(app));
  remember(mratls::cli::add_cert(app));
  remember(mratls::cli::add_admin(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : mratls::cli::kUsage;
  }
  for (auto& [sub, action] : commands)
    if (sub->parsed()) return action();
  return mratls::cli::kUsage;
}
