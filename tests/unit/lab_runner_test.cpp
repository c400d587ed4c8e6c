// The lab runner's plain parts: the settings matrix and what each setting changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <fstream>

#include "lab/runner.hpp"
#include "lab/running_cluster.hpp"
#include "lab/scenarios.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/cipher_preference.hpp"

using namespace mratls;

TEST(LabSettings, TheMatrixIsVersionByModeByPreference) {
  auto all = lab::settings_matrix("", "");
  ASSERT_EQ(all.size(), 12u);
  EXPECT_EQ(all.front().label, "X14.0.7 on ECDSA-first");
  EXPECT_EQ(all[1].label, "X14.0.7 on RSA-first");
  EXPECT_EQ(all.back().label, "X14.2.0 off RSA-first");

  auto on_rsa = lab::settings_matrix("on", "rsa");
  ASSERT_EQ(on_rsa.size(), 2u);
  EXPECT_EQ(on_rsa[0].label, "X14.0.7 on RSA-first");
  EXPECT_EQ(on_rsa[1].label, "X14.2.0 on RSA-first");
  EXPECT_EQ(lab::settings_matrix("log-only", "").size(), 4u);
}

TEST(LabSettings, KeepRunningDefaultsToTheAppliance) {
  auto s = lab::single_setting("", "");
  EXPECT_EQ(s.label, "X14.2.0 on ECDSA-first");
  EXPECT_EQ(lab::single_setting("off", "rsa").label, "X14.2.0 off RSA-first");
  EXPECT_EQ(lab::single_setting("log-only", "").verify, config::VerifyOriginServer::LogOnly);
}

TEST(LabSettings, ASettingChangesModeVersionAndCipherOrder) {
  config::Config c;
  const auto appliance = c.expressway.ciphers;
  lab::apply(lab::settings_matrix("log-only", "rsa").front(), c);
  EXPECT_EQ(c.expressway.verify_origin_server, config::VerifyOriginServer::LogOnly);
  EXPECT_EQ(c.expressway.version, (config::Version{14, 0, 7}));
  EXPECT_EQ(c.expressway.ciphers, verify::rsa_first(appliance));
  config::Config ecdsa;
  lab::apply(lab::single_setting("", "ecdsa"), ecdsa);
  EXPECT_EQ(ecdsa.expressway.ciphers, appliance);
}

// lab --ciphers: a site's own string is put in force as it is, labelled by what it prefers.
TEST(LabSettings, ASitesCipherStringIsKeptAndLabelledByItsPreference) {
  const std::string plus_ecdsa = std::string(config::kDefaultCiphers) + ":+ECDSA";
  auto s = lab::with_ciphers(lab::single_setting("on", "ecdsa"), plus_ecdsa);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->preference, verify::CertificatePreference::Rsa);
  EXPECT_EQ(s->label, "X14.2.0 on RSA-first ('" + plus_ecdsa + "')");
  config::Config c;
  lab::apply(*s, c);
  EXPECT_EQ(c.expressway.ciphers, plus_ecdsa);
  auto neither = lab::with_ciphers(lab::single_setting("on", "ecdsa"), "aNULL");
  ASSERT_FALSE(neither);
  EXPECT_EQ(neither.error(), "'aNULL' offers no TLS 1.2 cipher with ECDSA or RSA authentication");
}

TEST(LabDir, AScratchFolderHoldsTheTrustStoreAndGoesAway) {
  std::filesystem::path where;
  {
    lab::LabDir dir("");
    where = dir.path();
    EXPECT_TRUE(dir.scratch());
    std::ifstream trust(dir.trust_file());
    std::string first;
    std::getline(trust, first);
    EXPECT_EQ(first, "-----BEGIN CERTIFICATE-----");
    EXPECT_TRUE(std::filesystem::exists(dir.server_private_key()));
    auto c = lab::lab_config(dir);
    EXPECT_EQ(c.expressway.trusted_ca_certificates, (std::vector<std::string>{dir.trust_file()}));
    EXPECT_EQ(c.listen.public_name, lab::kLabPublicName);
  }
  EXPECT_FALSE(std::filesystem::exists(where));
}

TEST(LabCatalogue, FixesComeFromTheCatalogue) {
  EXPECT_NE(lab::catalogue_fix("self-signed").find("trust store"), std::string::npos);
  EXPECT_EQ(lab::catalogue_fix("no-such-cluster"), "");
}

TEST(LabLoopback, ABlockIsA24OfLoopbackOnly) {
  auto block = lab::parse_loopback_block("127.3.200.0/24");
  ASSERT_TRUE(block) << block.error();
  EXPECT_EQ(block->address(11), "127.3.200.11");
  EXPECT_EQ(block->cidr(), "127.3.200.0/24");
  const std::map<std::string, std::string> refused = {
      {"127.0.10.0", "is not a /24 block"},
      {"127.0.10.0/16", "is not a /24 block"},
      {"10.0.0.0/24", "is not in 127.0.0.0/8"},
      {"127.0.10.5/24", "has host bits set"},
      {"127.0.256.0/24", "'256' in '127.0.256.0/24' is not an octet"},
      {"127.0.x.0/24", "'x' in '127.0.x.0/24' is not an octet"},
      {"127.0.010.0/24", "'010' in '127.0.010.0/24' is not an octet"},
      {"127.0.0.0/24", "holds 127.0.0.1"},
      {"127.0.1.0/24", "the host's own 127.0.1.1"},
      {"127.0.10/24", "is not a /24 block"},
      {"127.0.10.0.0/24", "is not a /24 block"},
  };
  for (const auto& [text, why] : refused) {
    auto r = lab::parse_loopback_block(text);
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().find(why), std::string::npos) << text << ": " << r.error();
  }
  EXPECT_EQ(lab::candidate_block(0).cidr(), "127.0.10.0/24");
  EXPECT_EQ(lab::candidate_block(246).cidr(), "127.1.0.0/24");
}

// Clusters that run together behind one proxy have names and addresses of their own; one
// cluster alone keeps the lab's steven.lab names.
TEST(LabLoopback, ClustersRunTogetherHaveNamesAndAddressesOfTheirOwn) {
  const lab::LabPlacement together{lab::LoopbackBlock{9, 9}, true};
  const auto clusters = lab::lab_clusters(together);
  ASSERT_EQ(clusters.size(), lab::lab_cluster_ids().size());
  std::set<std::string> names, addresses;
  for (const auto& c : clusters) {
    EXPECT_EQ(c.domain, c.id + ".steven.lab");
    for (const auto& n : c.nodes) {
      EXPECT_TRUE(names.insert(n.fqdn).second) << n.fqdn;
      EXPECT_TRUE(addresses.insert(n.ip).second) << n.ip;
      EXPECT_TRUE(n.fqdn.ends_with("." + c.domain)) << n.fqdn;
      EXPECT_TRUE(n.ip.starts_with("127.9.9.")) << n.ip;
    }
  }
  EXPECT_FALSE(addresses.contains(lab::seed_address(together.block)));
  // What a run probes: its nodes' own ports; only Unity Connection listens on 443.
  std::set<std::uint16_t> ports;
  for (const auto& p : lab::listen_points("127.9.9.11", lab::NodeRole::Cucm)) ports.insert(p.port);
  EXPECT_EQ(ports, (std::set<std::uint16_t>{8443, 6970, 6972}));
  EXPECT_EQ(lab::listen_points("127.9.9.204", lab::NodeRole::UnityConnection).front().port, 443);
  const auto alone = lab::lab_clusters({lab::LoopbackBlock{9, 9}, false}, "wrong-host");
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].nodes[0].fqdn, "cucm.steven.lab");
  EXPECT_EQ(alone[0].nodes[0].ip, "127.9.9.23");
  EXPECT_EQ(verify::summarize(alone[0].nodes[0].certificates[0].leaf.cert.get()).subject_cn, "imp.steven.lab");
}
