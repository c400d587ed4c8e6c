// mratls scan on packet captures: pcap files written through libpcap's dump API from real TLS
// handshakes, cut into segments that arrive out of order and twice, read back per origin with
// the chain the node presented; TLS 1.3 said to hide it; truncated and garbage captures get an
// answer naming the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "support.hpp"
#include "tls_transcript.hpp"
#include "verify/certificate_summary.hpp"

using namespace mratls;
using namespace mratls::test;
namespace fs = std::filesystem;

namespace {

fs::path capture_scratch() {
  auto dir = fs::temp_directory_path() / ("mratls-capture-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string sha256_of(const lab::Issued& c) { return verify::summarize(c.cert.get()).sha256; }

// When the fixture log's 6972 request failed (2022-07-11 18:55:26 +02:00).
constexpr std::time_t kFixture6972Failure = 1657558525;

std::string fixture_log() {
  std::ifstream fixture(std::string(MRATLS_FIXTURES) + "/expressway-x14.2-mra-502.log");
  return {(std::istreambuf_iterator<char>(fixture)), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(ScanCapture, Tls12SelfSignedEcdsaOutOfOrderAndRetransmitted) {
  const auto node = ecdsa_self_signed();
  auto t = handshake(node, {}, TLS1_2_VERSION, "cucm.steven.lab", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384");
  auto segments = segments_of(t, 90);
  // After the SYNs: every third segment sent twice, and the order shuffled.
  std::vector<CapturedSegment> shuffled(segments.begin() + 2, segments.end());
  for (std::size_t i = 0; i < segments.size() - 2; i += 3) shuffled.push_back(segments[2 + i]);
  std::mt19937 random(11);
  std::ranges::shuffle(shuffled, random);
  shuffled.insert(shuffled.begin(), segments.begin(), segments.begin() + 2);
  const auto file = capture_scratch() / "tls12.pcap";
  write_pcap(file.string(), shuffled, "10.1.1.5", 51514, "10.1.1.20", 6972);

  auto scan = spawn_mratls({"scan", file.string()});
  EXPECT_EQ(scan.wait_exit(), 0) << scan.output;
  const auto expected = "10.1.1.20:6972  1 TLS connection captured\n"
                        "  1x ClientHello: SNI cucm.steven.lab, ECDSA-first, offers TLSv1.3 TLSv1.2";
  EXPECT_NE(scan.output.find(expected), std::string::npos) << scan.output;
  // The oldest versions offered depend on the system's OpenSSL configuration.
  const auto chain = "     ServerHello: TLSv1.2, ECDHE-ECDSA-AES256-GCM-SHA384\n"
                        "     chain presented (1):\n"
                        "       0 CN=cucm-EC.steven.lab,O=mratls lab (self-signed)\n"
                        "          ECDSA P-256, valid ";
  EXPECT_NE(scan.output.find(chain), std::string::npos) << scan.output;
  EXPECT_NE(scan.output.find(", SHA-256 " + sha256_of(node) + "\n          SANs: DNS:cucm.steven.lab\n"), std::string::npos)
      << scan.output;

  auto json = spawn_mratls({"scan", "--json", file.string()});
  EXPECT_EQ(json.wait_exit(), 0);
  auto doc = nlohmann::json::parse(json.output);
  EXPECT_EQ(doc["schema"], "mratls.scan/1");
  const auto& origin = doc["captures"]["origins"][0];
  EXPECT_EQ(origin["origin"], "10.1.1.20:6972");
  const auto& seen = origin["handshakes"][0];
  EXPECT_EQ(seen["cipher_preference"], "ECDSA-first");
  EXPECT_EQ(seen["chain"][0]["sha256"], sha256_of(node));
  EXPECT_EQ(seen["chain"][0]["key"], "ECDSA P-256");
  EXPECT_EQ(seen["chain"][0]["self_signed"], true);
  EXPECT_EQ(doc["captures"]["inputs"][0]["frames"], shuffled.size());

  // With a trust store: the verdict and the appliance's lines for the SNI the client sent.
  auto refused = spawn_mratls({"scan", "--trust", LabPki::get().trust_file, file.string()});
  EXPECT_EQ(refused.wait_exit(), 1) << "a refused chain is a finding: " << refused.output;
  EXPECT_NE(refused.output.find("     X14.2 with this trust store, for cucm.steven.lab: refused\n"
                                "        [ET_NET 0] WARNING: Core server certificate verification failed for "
                                "(cucm.steven.lab). Action=Terminate Error=self signed certificate server=cucm.steven.lab(10.1.1.20) depth=0\n"),
            std::string::npos)
      << refused.output;
  const auto own = capture_scratch() / "node.pem";
  std::ofstream(own) << node.cert_pem();
  auto accepted = spawn_mratls({"scan", "--trust", own.string(), file.string()});
  EXPECT_EQ(accepted.wait_exit(), 0);
  EXPECT_NE(accepted.output.find("     X14.2 with this trust store, for cucm.steven.lab: accepted\n"), std::string::npos)
      << accepted.output;
  auto bad = spawn_mratls({"scan", "--trust", (capture_scratch() / "none.pem").string(), file.string()});
  EXPECT_EQ(bad.wait_exit(), 2);
  EXPECT_NE(bad.output.find("mratls scan: --trust: " + (capture_scratch() / "none.pem").string() + ": cannot open the trust store file"),
            std::string::npos)
      << bad.output;
}

TEST(ScanCapture, ACaChainAndTls13) {
  const auto root = lab::make_ca("Capture Root CA");
  const auto issuing = lab::make_ca("Capture Issuing CA", &root);
  lab::CertSpec spec;
  spec.common_name = "cucm.steven.lab";
  spec.dns_sans = {"cucm.steven.lab"};
  const auto leaf = lab::issue(spec, &issuing);
  const auto dir = capture_scratch();
  write_pcap((dir / "chain.pcap").string(), segments_of(handshake(leaf, {issuing}, TLS1_2_VERSION, "cucm.steven.lab"), 1400),
             "10.1.1.5", 40000, "10.1.1.20", 8443);
  write_pcap((dir / "tls13.pcap").string(), segments_of(handshake(leaf, {issuing}, TLS1_3_VERSION, "cucm.steven.lab"), 1400),
             "10.1.1.5", 40001, "10.1.1.21", 8443);
  auto scan = spawn_mratls({"scan", (dir / "chain.pcap").string(), (dir / "tls13.pcap").string()});
  EXPECT_EQ(scan.wait_exit(), 0) << scan.output;
  EXPECT_NE(scan.output.find("     chain presented (2):\n       0 CN=cucm.steven.lab,O=mratls lab, issued by CN=Capture "
                             "Issuing CA,O=mratls lab\n"),
            std::string::npos)
      << scan.output;
  EXPECT_NE(scan.output.find("       1 CN=Capture Issuing CA,O=mratls lab, issued by CN=Capture Root CA,O=mratls lab\n"),
            std::string::npos)
      << scan.output;
  EXPECT_NE(scan.output.find("10.1.1.21:8443  1 TLS connection captured\n"), std::string::npos) << scan.output;
  EXPECT_NE(scan.output.find("     ServerHello: TLSv1.3, TLS_AES_256_GCM_SHA384\n     certificate: encrypted (TLS 1.3); "),
            std::string::npos)
      << scan.output;
}

TEST(ScanCapture, MidConnectionTruncatedAndGarbage) {
  const auto node = ecdsa_self_signed();
  const auto dir = capture_scratch();
  // Begins after the first 200 bytes of each direction: no handshake to read, and said so.
  write_pcap((dir / "mid.pcap").string(), segments_of(handshake(node, {}, TLS1_2_VERSION, "cucm.steven.lab"), 200, true),
             "10.1.1.5", 40000, "10.1.1.20", 8443);
  auto mid = spawn_mratls({"scan", (dir / "mid.pcap").string()});
  EXPECT_EQ(mid.wait_exit(), 0) << mid.output;
  EXPECT_NE(mid.output.find("no TLS handshake in the capture\n\n1 TCP connection without a TLS handshake in the capture "
                            "(plain traffic, or opened before the capture began)\n"),
            std::string::npos)
      << mid.output;

  write_pcap((dir / "whole.pcap").string(), segments_of(handshake(node, {}, TLS1_2_VERSION, "cucm.steven.lab"), 300),
             "10.1.1.5", 40000, "10.1.1.20", 8443);
  std::ifstream in(dir / "whole.pcap", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir / "cut.pcap", std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  auto cut = spawn_mratls({"scan", (dir / "cut.pcap").string()});
  EXPECT_EQ(cut.wait_exit(), 0) << cut.output;
  EXPECT_NE(cut.output.find("mratls scan: " + (dir / "cut.pcap").string() + ": the capture is cut short after "),
            std::string::npos)
      << cut.output;
  EXPECT_NE(cut.output.find("10.1.1.20:8443  1 TLS connection captured"), std::string::npos) << cut.output;

  std::ofstream(dir / "header.pcap", std::ios::binary) << bytes.substr(0, 10);
  auto header = spawn_mratls({"scan", (dir / "header.pcap").string()});
  EXPECT_EQ(header.wait_exit(), 2);
  EXPECT_NE(header.output.find("mratls scan: " + (dir / "header.pcap").string() + ": not a readable packet capture ("),
            std::string::npos)
      << header.output;

  std::string garbage = bytes.substr(0, 24);
  std::mt19937 random(3);
  for (int i = 0; i < 5000; ++i) garbage.push_back(static_cast<char>(random()));
  std::ofstream(dir / "garbage.pcap", std::ios::binary) << garbage;
  auto noise = spawn_mratls({"scan", (dir / "garbage.pcap").string()});
  const int code = noise.wait_exit();
  EXPECT_TRUE(code == 0 || code == 2) << "an answer, never a crash: " << code << noise.output;
  EXPECT_NE(noise.output.find((dir / "garbage.pcap").string()), std::string::npos) << noise.output;
}

// A snapshot as engineers download it: the diagnostic log and the tcpdump side by side in one
// .tar.gz; and a capture gzipped on its own.
TEST(ScanCapture, CapturesInsideASnapshotBesideTheLog) {
  const auto node = ecdsa_self_signed();
  const auto dir = capture_scratch();
  write_pcap((dir / "inner.pcap").string(),
             segments_of(handshake(node, {}, TLS1_2_VERSION, "cucm.steven.lab",
                                   "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384"),
                         500),
             "10.1.1.5", 40000, "10.1.1.20", 6972, kFixture6972Failure);
  std::ifstream pcap(dir / "inner.pcap", std::ios::binary);
  const std::string capture((std::istreambuf_iterator<char>(pcap)), std::istreambuf_iterator<char>());
  const std::string log = fixture_log();
  write_archive(dir / "snapshot.tar.gz", {{"loggingsnapshot/diagnostic_log.txt", log}, {"loggingsnapshot/tcpdump/eth0.pcap", capture}},
                true);
  auto scan = spawn_mratls({"scan", (dir / "snapshot.tar.gz").string()});
  EXPECT_EQ(scan.wait_exit(), 1) << "the log's failures still decide: " << scan.output;
  EXPECT_NE(scan.output.find("Origins ("), std::string::npos) << scan.output;
  EXPECT_NE(scan.output.find("\nCaptures (" + (dir / "snapshot.tar.gz").string() + ":loggingsnapshot/tcpdump/eth0.pcap: "),
            std::string::npos)
      << scan.output;
  EXPECT_NE(scan.output.find("10.1.1.20:6972  1 TLS connection captured\n"), std::string::npos) << scan.output;
  EXPECT_NE(scan.output.find("       0 CN=cucm-EC.steven.lab,O=mratls lab (self-signed)\n"), std::string::npos) << scan.output;
  // The chain tied to the failure the log shows for the same origin (the seed's 6972 story).
  EXPECT_NE(scan.output.find("     logs: 6972 presented CN=cucm-EC.steven.lab,O=mratls lab, self-signed ECDSA P-256, to "
                             "an ECDSA-first ClientHello; that is the self-signed failure of cucm.steven.lab:6972 in the "
                             "logs (self-signed certificate on cucm.steven.lab, 1 failed)\n"),
            std::string::npos)
      << scan.output;

  write_archive(dir / "alone.pcap.gz", {{"alone.pcap", capture}}, false);
  auto alone = spawn_mratls({"scan", "--json", (dir / "alone.pcap.gz").string()});
  EXPECT_EQ(alone.wait_exit(), 0) << alone.output;
  auto doc = nlohmann::json::parse(alone.output);
  EXPECT_EQ(doc["captures"]["origins"][0]["origin"], "10.1.1.20:6972");
  EXPECT_EQ(doc["captures"]["inputs"][0]["file"], (dir / "alone.pcap.gz").string());
}

// A captured chain is tied only to a failure it explains: an accepted CA-signed RSA chain is not
// "the self-signed failure" of the same origin, nor is a chain captured a year away from it.
TEST(ScanCapture, AChainIsTiedOnlyToAFailureItExplains) {
  const auto dir = capture_scratch();
  lab::CertSpec spec;
  spec.common_name = "cucm.steven.lab";
  spec.dns_sans = {"cucm.steven.lab"};
  const auto rsa = lab::issue(spec, &lab::LabAuthorities::shared().root);
  write_pcap((dir / "rsa.pcap").string(), segments_of(handshake(rsa, {}, TLS1_2_VERSION, "cucm.steven.lab"), 1400), "10.1.1.5",
             40000, "10.1.1.20", 6972, kFixture6972Failure);
  std::ofstream(dir / "fixture.log") << fixture_log();
  auto scan = spawn_mratls({"scan", (dir / "fixture.log").string(), (dir / "rsa.pcap").string()});
  EXPECT_EQ(scan.wait_exit(), 1) << scan.output;
  EXPECT_NE(scan.output.find("chain presented (1)"), std::string::npos) << scan.output;
  EXPECT_EQ(scan.output.find("     logs: "), std::string::npos) << "a CA-signed chain does not explain a self-signed failure:\n"
                                                               << scan.output;

  // The self-signed ECDSA chain explains it, but not when captured a year later.
  const auto node = ecdsa_self_signed();
  write_pcap((dir / "late.pcap").string(),
             segments_of(handshake(node, {}, TLS1_2_VERSION, "cucm.steven.lab", "ECDHE-ECDSA-AES256-GCM-SHA384"), 1400),
             "10.1.1.5", 40000, "10.1.1.20", 6972, kFixture6972Failure + 365 * 86400);
  auto late = spawn_mratls({"scan", (dir / "fixture.log").string(), (dir / "late.pcap").string()});
  EXPECT_EQ(late.wait_exit(), 1) << late.output;
  EXPECT_EQ(late.output.find("     logs: "), std::string::npos) << late.output;
}

TEST(ScanCapture, AFatalAlertInACaptureIsAFinding) {
  const auto dir = capture_scratch();
  auto t = handshake(ecdsa_self_signed(), {}, TLS1_2_VERSION, "cucm.steven.lab", "ECDHE-ECDSA-AES256-GCM-SHA384");
  // The client answers the server's flight with a fatal unknown_ca alert instead of its key
  // exchange, as a client that refuses the chain does: its ClientHello record, then the alert.
  const auto hello_size = 5 + ((static_cast<unsigned char>(t.client_to_server[3]) << 8) |
                               static_cast<unsigned char>(t.client_to_server[4]));
  t.client_to_server = t.client_to_server.substr(0, hello_size) + std::string("\x15\x03\x03\x00\x02\x02\x30", 7);
  write_pcap((dir / "alert.pcap").string(), segments_of(t, 1400), "10.1.1.5", 40000, "10.1.1.20", 6972);
  auto scan = spawn_mratls({"scan", (dir / "alert.pcap").string()});
  EXPECT_EQ(scan.wait_exit(), 1) << scan.output;
  EXPECT_NE(scan.output.find("alert client: fatal unknown_ca"), std::string::npos) << scan.output;
}
