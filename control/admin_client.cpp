#include "control/admin_client.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "mra/mra_path.hpp"
#include "proxy/blocking_client.hpp"

namespace mratls::control {

std::expected<AdminTarget, std::string> parse_admin_target(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::unexpected("'" + text + "' is not HOST:PORT");
  AdminTarget t;
  t.address = text.substr(0, colon);
  if (t.address == "localhost") t.address = "127.0.0.1";
  unsigned port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc{} || end != last || port == 0 || port > 65535)
    return std::unexpected("'" + text + "': the port must be 1 to 65535");
  t.port = static_cast<std::uint16_t>(port);
  return t;
}

std::expected<std::string, std::string> read_token_file(const std::string& file) {
  std::ifstream in(file);
  if (!in) return std::unexpected(file + ": cannot open the admin token file");
  std::stringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.size() < 16) return std::unexpected(file + ": the admin token must be at least 16 characters");
  if (token.find_first_of(" \t\r\n") != std::string::npos) return std::unexpected(file + ": the admin token must be one word");
  return token;
}

std::expected<AdminReply, std::string> admin_call(const AdminTarget& to, const std::string& method, const std::string& path,
                                                  const nlohmann::json* body) {
  proxy::BlockingClient client(to.address, to.port, std::chrono::seconds(30));
  const std::string where = mra::host_port(to.address, to.port);
  if (!client.connected()) return std::unexpected("cannot connect to the admin listener at " + where);
  const std::string payload = body ? body->dump() : "";
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + where + "\r\nConnection: close\r\n";
  if (!to.token.empty()) request += "Authorization: Bearer " + to.token + "\r\n";
  if (body) request += "Content-Type: application/json\r\n";
  if (body || method != "GET") request += "Content-Length: " + std::to_string(payload.size()) + "\r\n";
  request += "\r\n" + payload;
  auto response = client.exchange(request);
  if (response.status == 0) return std::unexpected("no answer from the admin listener at " + where);
  AdminReply reply{response.status, nlohmann::json::parse(response.body, nullptr, false), response.body};
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

}  // namespace mratls::control
