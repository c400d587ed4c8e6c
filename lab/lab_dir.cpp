#include "lab/lab_dir.hpp"

#include <unistd.h>

#include <fstream>

#include "config/save.hpp"
#include "lab/pki.hpp"

namespace mratls::lab {

namespace fs = std::filesystem;

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
  std::ofstream(trust_file()) << pki.root.cert_pem();
  std::ofstream(server_certificate()) << pki.expressway.cert_pem();
  std::ofstream(server_private_key()) << pki.expressway.key_pem();
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
  std::ofstream(path_ / "trust" / "lab-intermediate.pem") << ca.intermediate.cert_pem();
  std::ofstream(path_ / "unknown-root.pem") << ca.other_root.cert_pem();
  for (const auto& c : clusters) {
    auto nodes_dir = path_ / "nodes" / c->cluster().id;
    fs::create_directories(nodes_dir);
    for (const auto& n : c->cluster().nodes) {
      int k = 0;
      for (const auto& cert : n.certificates) {
        auto base = nodes_dir / (n.fqdn + (k++ ? "-ecdsa" : ""));
        std::ofstream(base.string() + ".pem") << cert.leaf.cert_pem();
        std::ofstream(base.string() + ".key") << cert.leaf.key_pem();
      }
    }
  }
  std::ofstream(path_ / "lab.yaml") << config::to_yaml(config);
}

}  // namespace mratls::lab
