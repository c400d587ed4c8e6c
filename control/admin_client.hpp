// The client side of the admin API, for `mratls admin` and the tests: one request, one
// JSON answer. IPv4 only, as the rest of the tool's clients.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include <nlohmann/json.hpp>

namespace mratls::control {

struct AdminTarget {
  std::string address;  // IPv4; "localhost" is 127.0.0.1
  std::uint16_t port = 0;
  std::string token;  // sent as Authorization: Bearer when not empty
};

// "HOST:PORT", or an error naming the value.
std::expected<AdminTarget, std::string> parse_admin_target(const std::string& text);

struct AdminReply {
  int status = 0;
  nlohmann::json body;  // null when the answer was not JSON
  std::string text;
};

// The token an admin listener asks for, from its file (the listener's and the client's): one
// word of at least 16 characters, a trailing newline allowed. Errors name the file.
std::expected<std::string, std::string> read_token_file(const std::string& file);

// A JSON body is sent as application/json; an error is a connection that failed.
std::expected<AdminReply, std::string> admin_call(const AdminTarget& to, const std::string& method, const std::string& path,
                                                  const nlohmann::json* body = nullptr);

}  // namespace mratls::control
