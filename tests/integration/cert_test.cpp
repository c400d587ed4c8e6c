// mratls cert verify: the same certificate as PEM, DER and PKCS#7 gives the same verdict, the
// lines are X14.2's, and garbage is a clear error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lab/scenarios.hpp"
#include "support.hpp"

using namespace mratls;
using namespace mratls::test;

TEST(CertVerify, PemDerAndPkcs7GiveTheSameVerdict) {
  auto def = lab::scenario_origin("wrong-host");
  auto& leaf = def.spec.certificates.front().leaf;
  auto dir = LabPki::get().dir / "cert";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "leaf.pem") << leaf.cert_pem();
  std::ofstream(dir / "leaf.der", std::ios::binary) << to_der(leaf.cert.get());
  std::ofstream(dir / "leaf.p7b", std::ios::binary) << to_pkcs7_der({leaf.cert.get()});
  for (const auto* file : {"leaf.pem", "leaf.der", "leaf.p7b"}) {
    auto p = spawn_mratls({"cert", "verify", "--cert", (dir / file).string(), "--trust", LabPki::get().trust_file, "--name",
                           "cucm.steven.lab", "--ip", "10.48.36.215"});
    EXPECT_EQ(p.wait_exit(), 1) << file << "\n" << p.output;
    EXPECT_NE(p.output.find("[ET_NET 0] WARNING: SNI (cucm.steven.lab) not in certificate. Action=Terminate "
                            "server=cucm.steven.lab(10.48.36.215)"),
              std::string::npos)
        << file << "\n" << p.output;
  }
  auto ok = spawn_mratls({"cert", "verify", "--cert", (dir / "leaf.pem").string(), "--trust", LabPki::get().trust_file,
                          "--name", "imp.steven.lab"});
  EXPECT_EQ(ok.wait_exit(), 0) << ok.output;
}

TEST(CertVerify, GarbageIsAClearError) {
  auto dir = LabPki::get().dir / "cert";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "garbage.pem") << "this is not a certificate\n";
  auto p = spawn_mratls({"cert", "verify", "--cert", (dir / "garbage.pem").string(), "--trust", LabPki::get().trust_file,
                         "--name", "cucm.steven.lab"});
  EXPECT_EQ(p.wait_exit(), 2);
  EXPECT_NE(p.output.find("garbage.pem: no certificate found (expected PEM, DER or PKCS#7)"), std::string::npos) << p.output;
}
