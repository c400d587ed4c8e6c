// The appliance's trust store: the configured PEM files only, never the system store.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "verify/ossl.hpp"

namespace mratls::verify {

class TrustStore {
 public:
  // Every file must exist and hold at least one certificate; errors name the file.
  static std::expected<TrustStore, std::string> load(const std::vector<std::string>& pem_files);
  static std::expected<TrustStore, std::string> from_pem_text(const std::string& pem, const std::string& name);
  static TrustStore from_certificates(std::vector<ossl::X509Ptr> certificates);

  X509_STORE* store() const { return store_.get(); }
  const std::vector<ossl::X509Ptr>& certificates() const { return certificates_; }

 private:
  TrustStore();
  std::expected<void, std::string> add_pem(const std::string& pem, const std::string& name);
  void add(ossl::X509Ptr cert);

  ossl::X509StorePtr store_;
  std::vector<ossl::X509Ptr> certificates_;
};

// All certificates of a PEM text, in order.
std::expected<std::vector<ossl::X509Ptr>, std::string> read_pem_certificates(const std::string& pem,
                                                                           const std::string& name);

}  // namespace mratls::verify
