// The appliance's trust store: the configured PEM files only, never the system store.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "verify/ossl.hpp"

namespace mratls::verify {

class TrustStore {
 public:
  // Every file must exist and hold at least one certificate; errors name the file. An entry
  // that is PEM text itself (config::is_inline_pem) is read as it is.
  static std::expected<TrustStore, std::string> load(const std::vector<std::string>& pem_files);
  static std::expected<TrustStore, std::string> from_pem_text(const std::string& pem, const std::string& name);
  static TrustStore from_certificates(std::vector<ossl::X509Ptr> certificates);

  X509_STORE* store() const { return store_.get(); }
  const std::vector<ossl::X509Ptr>& certificates() const { return certificates_; }
  // Where each certificate came from, by index: the file, and its position when the file holds
  // several ("ca.pem#2"); empty for certificates given in memory.
  const std::vector<std::string>& sources() const { return sources_; }

 private:
  TrustStore();
  std::expected<void, std::string> add_pem(const std::string& pem, const std::string& name);
  void add(ossl::X509Ptr cert, std::string source);

  ossl::X509StorePtr store_;
  std::vector<ossl::X509Ptr> certificates_;
  std::vector<std::string> sources_;
};

// All certificates of a PEM text, in order.
std::expected<std::vector<ossl::X509Ptr>, std::string> read_pem_certificates(const std::string& pem,
                                                                           const std::string& name);

}  // namespace mratls::verify
