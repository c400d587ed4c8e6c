// Answers of the smaller commands, tried as a new user would: what they say for inputs that are
// not what they expect, and what their help promises.
#include <gtest/gtest.h>

#include "support.hpp"

using namespace mratls::test;

TEST(CliAnswers, DecodeOfASendingRequestLineSaysItCarriesNoSegment) {
  auto p = spawn_mratls({"decode",
                         "2022-07-11T18:55:25.917+02:00 vcsc traffic_server[18242]: UTCTime=\"2022-07-11 16:55:25,916\" "
                         "Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Sending Request\" Txn-id=\"189\" "
                         "Dst-ip=\"10.48.36.215\" Dst-port=\"8443\" Msg=\"GET /cucm-uds/user/emusk/devices HTTP/1.1\""});
  EXPECT_EQ(p.wait_exit(), 1);
  EXPECT_NE(p.output.find("a Sending Request line carries no MRA path segment"), std::string::npos) << p.output;
  EXPECT_EQ(p.output.find("non-printable"), std::string::npos) << p.output;
}

TEST(CliAnswers, ALongInputIsNotEchoedWhole) {
  auto p = spawn_mratls({"decode", std::string(5000, 'A') + "!"});
  EXPECT_EQ(p.wait_exit(), 1);
  EXPECT_LT(p.output.size(), 300u) << p.output.size();
  EXPECT_NE(p.output.find("(5001 bytes)"), std::string::npos) << p.output;
}

TEST(CliAnswers, LabListNamesEveryCluster) {
  auto p = spawn_mratls({"lab", "--list"});
  EXPECT_EQ(p.wait_exit(), 0);
  for (const auto* id : {"ok-fqdn", "rekeyed-ca", "intermediate-left-out", "field-mix", "client-cert-6972"})
    EXPECT_NE(p.output.find(std::string(id) + "\n"), std::string::npos) << id << "\n" << p.output;
}

TEST(CliAnswers, CheckHelpGivesTheExitCodesAndTheDefaultPorts) {
  auto p = spawn_mratls({"check", "--help"});
  EXPECT_EQ(p.wait_exit(), 0);
  EXPECT_NE(p.output.find("Exit codes: 0"), std::string::npos) << p.output;
  EXPECT_NE(p.output.find("CUCM 8443 and 6972, IM&P 8443, Unity Connection 443"), std::string::npos) << p.output;
  EXPECT_NE(p.output.find("--client-cert"), std::string::npos) << p.output;
}

TEST(CliAnswers, ScanHelpHasNoStrayDefault) {
  auto p = spawn_mratls({"scan", "--help"});
  EXPECT_EQ(p.wait_exit(), 0);
  EXPECT_NE(p.output.find("--no-evidence"), std::string::npos) << p.output;
  EXPECT_EQ(p.output.find("{false}"), std::string::npos) << p.output;
}

TEST(CliAnswers, CheckTypeRepeatsOnePerNode) {
  // Two nodes, two types: accepted (the nodes do not answer, so the exit is 1, not 2).
  auto paired = spawn_mratls({"check", "--node", "127.0.0.1:1", "--type", "cucm", "--node", "127.0.0.2:1", "--type", "imp",
                              "--timeout-ms", "200", "--json"});
  EXPECT_EQ(paired.wait_exit(), 1) << paired.output;
  EXPECT_NE(paired.output.find("\"127.0.0.2\""), std::string::npos) << paired.output;
  auto mismatched = spawn_mratls({"check", "--node", "a.lab", "--node", "b.lab", "--node", "c.lab", "--type", "cucm", "--type", "imp"});
  EXPECT_EQ(mismatched.wait_exit(), 2);
  EXPECT_NE(mismatched.output.find("--type given 2 times for 3 --node entries"), std::string::npos) << mismatched.output;
  auto half = spawn_mratls({"check", "--node", "a.lab", "--client-cert", "x.pem"});
  EXPECT_EQ(half.wait_exit(), 2);
  EXPECT_NE(half.output.find("--client-cert and --client-key go together"), std::string::npos) << half.output;
}
