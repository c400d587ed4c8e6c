#include "verify/trust_store.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>

#include "config/config.hpp"

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
  const bool several = certs->size() > 1;
  for (std::size_t i = 0; i < certs->size(); ++i)
    add(std::move((*certs)[i]), several ? name + "#" + std::to_string(i + 1) : name);
  return {};
}

void TrustStore::add(ossl::X509Ptr cert, std::string source) {
  // OpenSSL fills each certificate's extension cache (key identifiers, CA flags) the first time
  // a chain is built through it, and later readers skip the lock on an atomic flag that thread
  // sanitizers cannot see. Filling it here, before any event thread exists, leaves the store
  // read-only from then on.
  X509_check_purpose(cert.get(), -1, 0);
  X509_STORE_add_cert(store_.get(), cert.get());
  ERR_clear_error();  // a duplicate is not an error: the appliance keeps one
  certificates_.push_back(std::move(cert));
  sources_.push_back(std::move(source));
}

std::expected<TrustStore, std::string> TrustStore::from_pem_text(const std::string& pem, const std::string& name) {
  TrustStore ts;
  if (auto r = ts.add_pem(pem, name); !r) return std::unexpected(r.error());
  return ts;
}

TrustStore TrustStore::from_certificates(std::vector<ossl::X509Ptr> certificates) {
  TrustStore ts;
  for (auto& cert : certificates) ts.add(std::move(cert), "");
  return ts;
}

std::expected<TrustStore, std::string> TrustStore::load(const std::vector<std::string>& pem_files) {
  TrustStore ts;
  for (std::size_t i = 0; i < pem_files.size(); ++i) {
    const auto& file = pem_files[i];
    if (config::is_inline_pem(file)) {
      if (auto r = ts.add_pem(file, config::inline_pem_name(i + 1)); !r) return std::unexpected(r.error());
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::unexpected(file + ": cannot open the trust store file");
    std::ostringstream text;
    text << in.rdbuf();
    if (auto r = ts.add_pem(text.str(), file); !r) return std::unexpected(r.error());
  }
  return ts;
}

}  // namespace mratls::verify
