#include "verify/trust_store.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>

namespace mratls::verify {

std::expected<std::vector<ossl::X509Ptr>, std::string> read_pem_certificates(const std::string& pem,
                                                                           const std::string& name) {
  auto read = ossl::read_pem_certificates(pem);
  auto& out = read.certificates;
  if (read.broken) return std::unexpected(name + ": broken PEM certificate (" + std::to_string(out.size() + 1) + ")");
  if (out.empty()) return std::unexpected(name + ": no PEM certificate found");
  return std::move(out);
}

TrustStore::TrustStore() : store_(X509_STORE_new()) {}

std::expected<void, std::string> TrustStore::add_pem(const std::string& pem, const std::string& name) {
  auto certs = read_pem_certificates(pem, name);
  if (!certs) return std::unexpected(certs.error());
  for (auto& cert : *certs) {
    X509_STORE_add_cert(store_.get(), cert.get());
    ERR_clear_error();  // a duplicate is not an error: the appliance keeps one
    certificates_.push_back(std::move(cert));
  }
  return {};
}

std::expected<TrustStore, std::string> TrustStore::from_pem_text(const std::string& pem, const std::string& name) {
  TrustStore ts;
  if (auto r = ts.add_pem(pem, name); !r) return std::unexpected(r.error());
  return ts;
}

TrustStore TrustStore::from_certificates(std::vector<ossl::X509Ptr> certificates) {
  TrustStore ts;
  for (auto& cert : certificates) {
    X509_STORE_add_cert(ts.store_.get(), cert.get());
    ERR_clear_error();
    ts.certificates_.push_back(std::move(cert));
  }
  return ts;
}

std::expected<TrustStore, std::string> TrustStore::load(const std::vector<std::string>& pem_files) {
  TrustStore ts;
  for (const auto& file : pem_files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::unexpected(file + ": cannot open the trust store file");
    std::ostringstream text;
    text << in.rdbuf();
    if (auto r = ts.add_pem(text.str(), file); !r) return std::unexpected(r.error());
  }
  return ts;
}

}  // namespace mratls::verify
