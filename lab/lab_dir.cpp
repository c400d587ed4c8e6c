#include "lab/lab_dir.hpp"

#include <unistd.h>

#include <stdexcept>

#include "config/save.hpp"
#include "config/whole_file.hpp"
#include "lab/pki.hpp"

namespace mratls::lab {

namespace fs = std::filesystem;

namespace {

// Each file whole or not at all; the lab's callers say what failed.
void put(const fs::path& file, const std::string& text, bool secret = false) {
  if (auto written = config::write_whole_file(file, text, secret); !written) throw std::runtime_error(written.error());
}

}  // namespace

LabDir::LabDir(const std::string& out) {
  if (out.empty()) {
    scratch_ = true;
    path_ = fs::temp_directory_path() / ("mratls-lab-" + std::to_string(getpid()));
  } else {
    path_ = fs::absolute(out);
  }
  fs::create_directories(path_ / "trust");
  fs::create_directories(path_ / "expressway");
  const auto& pki = LabAuthorities::shared();
  try {
    put(trust_file(), pki.root.cert_pem());
    put(server_certificate(), pki.expressway.cert_pem());
    put(server_private_key(), pki.expressway.key_pem(), true);
  } catch (...) {
    std::error_code ignored;
    if (scratch_) fs::remove_all(path_, ignored);  // the destructor will not run
    throw;
  }
}

LabDir::~LabDir() {
  std::error_code ignored;
  if (scratch_) fs::remove_all(path_, ignored);
}

std::string LabDir::trust_file() const { return (path_ / "trust" / "lab-root.pem").string(); }

std::string LabDir::server_certificate() const {
  return (path_ / "expressway" / (std::string(kLabExpresswayC) + ".pem")).string();
}

std::string LabDir::server_private_key() const {
  return (path_ / "expressway" / (std::string(kLabExpresswayC) + ".key")).string();
}

void LabDir::write_lab_files(const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                             const config::Config& config) const {
  const auto& ca = LabAuthorities::shared();
  put(path_ / "trust" / "lab-intermediate.pem", ca.intermediate.cert_pem());
  // Every CA a fix may ask to upload: the untrusted hierarchy, and the re-keyed root.
  put(path_ / "unknown-root.pem", ca.other_root.cert_pem());
  put(path_ / "unknown-intermediate.pem", ca.other_intermediate.cert_pem());
  put(path_ / "rekeyed-root.pem", ca.rekeyed_root.cert_pem());
  auto write_node = [](const fs::path& base, const OriginCertificate& cert) {
    put(base.string() + ".pem", cert.leaf.cert_pem());
    put(base.string() + ".key", cert.leaf.key_pem(), true);
    if (cert.chain.empty()) return;
    std::string chain;
    for (const auto& extra : cert.chain) chain += extra.cert_pem();
    put(base.string() + "-chain.pem", chain);
  };
  for (const auto& c : clusters) {
    auto nodes_dir = path_ / "nodes" / c->cluster().id;
    fs::create_directories(nodes_dir);
    for (const auto& n : c->cluster().nodes) {
      int k = 0;
      for (const auto& cert : n.certificates) write_node(nodes_dir / (n.fqdn + (k++ ? "-ecdsa" : "")), cert);
      // What 6972 presents when it differs from 8443 (the seed node, as the note shows it).
      k = 0;
      for (const auto& cert : n.tftp_certificates) write_node(nodes_dir / (n.fqdn + "-6972" + (k++ ? "-ecdsa" : "")), cert);
    }
  }
  put(path_ / "lab.yaml", config::to_yaml(config));
}

}  // namespace mratls::lab
