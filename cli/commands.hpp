#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace mratls::cli {

// Each subcommand registers itself on the app and returns the action to run when chosen.
using Action = std::function<int()>;

Action add_serve(CLI::App& app);
Action add_decode(CLI::App& app);
Action add_encode(CLI::App& app);
Action add_lab(CLI::App& app);
Action add_login(CLI::App& app);
Action add_check(CLI::App& app);
Action add_scan(CLI::App& app);
Action add_cert(CLI::App& app);
Action add_admin(CLI::App& app);

// Exit codes shared by every command.
inline constexpr int kOk = 0;
inline constexpr int kFindings = 1;
inline constexpr int kUsage = 2;

// JSON for the terminal: a log's or a node's bytes that are not UTF-8 are replaced, never thrown over.
inline std::string json_text(const nlohmann::json& j) { return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace mratls::cli
