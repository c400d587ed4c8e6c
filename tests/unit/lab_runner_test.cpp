// The lab runner's plain parts: the settings matrix and what each setting changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lab/runner.hpp"
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
