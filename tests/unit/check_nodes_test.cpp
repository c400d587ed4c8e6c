#include <gtest/gtest.h>

#include "check/nodes.hpp"
#include "verify/cipher_preference.hpp"

using namespace mratls;
using check::parse_node_spec;
using check::parse_ports;

TEST(CheckPorts, ListsAndRanges) {
  EXPECT_EQ(*parse_ports("8443"), (std::vector<std::uint16_t>{8443}));
  EXPECT_EQ(*parse_ports("8443,6972,1"), (std::vector<std::uint16_t>{8443, 6972, 1}));
  EXPECT_EQ(*parse_ports("443,"), (std::vector<std::uint16_t>{443}));
  EXPECT_EQ(parse_ports("").error(), "no port given");
  EXPECT_EQ(parse_ports("0").error(), "port '0' is not in 1-65535");
  EXPECT_EQ(parse_ports("65536").error(), "port '65536' is not in 1-65535");
  EXPECT_EQ(parse_ports("8443,,6972").error(), "port '' is not in 1-65535");
  EXPECT_EQ(parse_ports("+443").error(), "port '+443' is not in 1-65535");
  EXPECT_EQ(parse_ports("084430").error(), "port '084430' is not in 1-65535");
  EXPECT_EQ(parse_ports("44 3").error(), "port '44 3' is not in 1-65535");
}

TEST(CheckNodes, SpecsNameAHostAndMaybePorts) {
  auto plain = parse_node_spec("cucm.steven.lab");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "cucm.steven.lab");
  EXPECT_FALSE(plain->ports);
  auto ported = parse_node_spec("10.0.0.5:8443,6972");
  ASSERT_TRUE(ported);
  EXPECT_EQ(ported->host, "10.0.0.5");
  EXPECT_EQ(*ported->ports, (std::vector<std::uint16_t>{8443, 6972}));
  // An IPv6 literal has colons of its own: no ports.
  auto v6 = parse_node_spec("fd00::5");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "fd00::5");
  EXPECT_EQ(parse_node_spec("cucm:99999").error(), "port '99999' is not in 1-65535");
  EXPECT_EQ(parse_node_spec("cucm..lab").error(), "'cucm..lab' is neither a DNS name nor an IP address");
}

TEST(CheckNodes, EachNodeOnceAndPortsOverridden) {
  check::NodeList list;
  list.add(config::ServerType::UnifiedCm, "cucm", "configured", {8443, 6972});
  list.add(config::ServerType::UnifiedCm, "cucm", "--node", {443});
  list.add(config::ServerType::ImAndPresence, "cucm", "--node", {8443});
  ASSERT_EQ(list.nodes().size(), 2u);
  EXPECT_EQ(list.nodes()[0].source, "configured");
  EXPECT_EQ(list.nodes()[0].ports, (std::vector<std::uint16_t>{8443, 6972}));

  check::NodeList overridden(std::vector<std::uint16_t>{6970});
  overridden.add(config::ServerType::UnityConnection, "cuc", "configured", check::default_ports(config::ServerType::UnityConnection));
  EXPECT_EQ(overridden.nodes()[0].ports, (std::vector<std::uint16_t>{6970}));
}

TEST(CheckNodes, ConfiguredServersAndTheirAdvertisedNodes) {
  config::Config c;
  config::OriginServer cucm;
  cucm.type = config::ServerType::UnifiedCm;
  cucm.address = "cucm-pub.lab";
  cucm.nodes = {"cucm-pub.lab", "10.0.0.12"};
  c.servers.push_back(cucm);
  check::NodeList list;
  check::add_configured(list, c);
  ASSERT_EQ(list.nodes().size(), 2u);
  EXPECT_EQ(list.nodes()[0].source, "configured");
  EXPECT_EQ(list.nodes()[1].source, "advertised");
  EXPECT_EQ(list.nodes()[1].ports, (std::vector<std::uint16_t>{8443, 6972}));
  EXPECT_EQ(check::default_ports(config::ServerType::ImAndPresence), (std::vector<std::uint16_t>{8443}));
  EXPECT_EQ(check::protocol_for(6970), "http");
  EXPECT_EQ(check::protocol_for(6972), "https");
}

TEST(CheckDiscovery, ServersOfAUdsAnswer) {
  const std::string xml =
      "<?xml version=\"1.0\"?><servers version=\"14.0\"><server>cucm-pub.lab</server>\n"
      "<server>10.0.0.12</server><server></server><server>broken<server>cucm-sub2.lab</server></servers>";
  EXPECT_EQ(check::advertised_servers(xml), (std::vector<std::string>{"cucm-pub.lab", "10.0.0.12", "cucm-sub2.lab"}));
  EXPECT_TRUE(check::advertised_servers("<servers/>").empty());
  EXPECT_TRUE(check::advertised_servers("<server>unterminated").empty());
}

TEST(CipherPreference, OnePrefixAddedOnceRemovedOnce) {
  const std::string appliance = config::Expressway{}.ciphers;
  const auto rsa = verify::rsa_first(appliance);
  EXPECT_EQ(rsa, "ECDHE-RSA-AES256-GCM-SHA384:" + appliance);
  EXPECT_TRUE(verify::has_rsa_first_prefix(rsa));
  EXPECT_EQ(verify::rsa_first(rsa), rsa);
  EXPECT_EQ(verify::ecdsa_first(rsa), appliance);
  EXPECT_EQ(verify::ecdsa_first(appliance), appliance);
}
