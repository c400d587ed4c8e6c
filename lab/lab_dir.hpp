// Where the lab writes its trust store and Expressway-C's own certificate (and, with --out,
// every node's certificate and a ready configuration): a scratch folder removed on exit, or
// the folder the user named, kept.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "lab/running_cluster.hpp"

namespace mratls::lab {

class LabDir {
 public:
  explicit LabDir(const std::string& out);  // "" for a scratch folder
  ~LabDir();
  LabDir(const LabDir&) = delete;
  LabDir& operator=(const LabDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  bool scratch() const { return scratch_; }
  std::string trust_file() const;
  // Expressway-C's own certificate, presented to nodes that ask for a client certificate.
  std::string server_certificate() const;
  std::string server_private_key() const;

  // Every node's certificates and keys, the rest of the lab's PKI and `config` as lab.yaml, so
  // that the same lab can be used with curl, openssl s_client or a real trust store.
  void write_lab_files(const std::vector<std::unique_ptr<RunningCluster>>& clusters, const config::Config& config) const;

 private:
  std::filesystem::path path_;
  bool scratch_ = false;
};

}  // namespace mratls::lab
