// Key logs for Wireshark: every origin TLS connection writes NSS key-log lines keyed by its
// ClientHello random, TLS 1.2 (CLIENT_RANDOM) and TLS 1.3 (the five traffic secrets) alike.
// Nothing is decrypted here: the lines must name exactly the randoms the origin saw.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scripted_origin.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;
namespace fs = std::filesystem;

namespace {

// label → the client randoms it was written for
std::map<std::string, std::vector<std::string>> read_keylog(const fs::path& file) {
  std::ifstream in(file);
  std::map<std::string, std::vector<std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string label, random, secret, extra;
    words >> label >> random >> secret;
    EXPECT_FALSE(words >> extra) << "three fields a line: " << line;
    EXPECT_EQ(random.size(), 64u) << line;
    EXPECT_FALSE(secret.empty()) << line;
    out[label].push_back(random);
  }
  return out;
}

std::map<std::string, std::vector<std::string>> keys_of_one_request(bool tls13, const fs::path& file) {
  ScriptedOriginSpec spec;
  spec.tls13 = tls13;
  spec.script = [](const ReceivedRequest&) { return reply_with(http_response(200, "ok")); };
  ScriptedOrigin origin(spec);
  auto config = base_config(LabPki::get());
  config.log.keylog_file = file.string();
  config.allow_list.push_back({"https://cucm.steven.lab:" + std::to_string(origin.port()) + "/cucm-uds/",
                               config::MatchType::Prefix, {"GET"}});
  {
    ProxyUnderTest proxy(config);
    Client client(proxy.port());
    EXPECT_EQ(client.exchange(get_request("/" + segment_for("cucm.steven.lab", origin.port()) + "/cucm-uds/version")).status,
              200);
  }
  const auto randoms = origin.client_randoms();
  EXPECT_EQ(randoms.size(), 1u);
  auto keys = read_keylog(file);
  for (const auto& [label, written] : keys) EXPECT_EQ(written, randoms) << label;
  return keys;
}

}  // namespace

TEST(KeyLog, Tls12WritesTheClientRandomLine) {
  const auto file = fs::temp_directory_path() / ("mratls-keylog12-" + std::to_string(getpid()));
  fs::remove(file);
  auto keys = keys_of_one_request(false, file);
  std::set<std::string> labels;
  for (const auto& [label, randoms] : keys) labels.insert(label);
  EXPECT_EQ(labels, std::set<std::string>{"CLIENT_RANDOM"});
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write)
      << "keys are secrets: only the owner reads them";
}

TEST(KeyLog, Tls13WritesTheTrafficSecrets) {
  const auto file = fs::temp_directory_path() / ("mratls-keylog13-" + std::to_string(getpid()));
  fs::remove(file);
  auto keys = keys_of_one_request(true, file);
  std::set<std::string> labels;
  for (const auto& [label, randoms] : keys) labels.insert(label);
  EXPECT_EQ(labels, (std::set<std::string>{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                           "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"}));
}

TEST(KeyLog, ServeWarnsAtStartAndAnUnwritableFileIsRefused) {
  const auto dir = fs::temp_directory_path() / ("mratls-keylog-serve-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const auto keys = dir / "keys.log";
  auto write_config = [&](const fs::path& keylog) {
    std::ofstream(dir / "serve.yaml") << "expressway:\n  version: X14.2.0\n  trusted_ca_certificates: ["
                                      << LabPki::get().trust_file
                                      << "]\nlisten: { address: 127.0.0.1, port: 0 }\n"
                                         "unified_cm_servers: [ { address: cucm.steven.lab } ]\nthreads: 1\n"
                                         "log: { file: \""
                                      << (dir / "serve.log").string() << "\", keylog_file: \"" << keylog.string() << "\" }\n";
  };
  write_config(keys);
  auto serve = spawn_mratls({"serve", "--config", (dir / "serve.yaml").string()});
  EXPECT_TRUE(serve.wait_for(" event threads)\n")) << serve.output;
  EXPECT_NE(serve.output.find("mratls serve: WARNING: writing the TLS keys of every origin connection to " +
                              keys.string() +
                              ": anyone with that file can decrypt captures of this traffic (log.keylog_file / "
                              "SSLKEYLOGFILE)\n"),
            std::string::npos)
      << serve.output;
  kill(serve.pid, SIGTERM);
  EXPECT_EQ(serve.wait_exit(), 0);

  write_config(dir / "no-such-dir" / "keys.log");
  auto refused = spawn_mratls({"serve", "--check-config", (dir / "serve.yaml").string()});
  EXPECT_EQ(refused.wait_exit(), 2);
  EXPECT_NE(refused.output.find((dir / "no-such-dir" / "keys.log").string() +
                                ": cannot open the key log file: No such file or directory"),
            std::string::npos)
      << refused.output;
}
