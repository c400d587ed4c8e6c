// Certificates from files as engineers have them: PEM (one or several), DER, and PKCS#7
// bundles (.p7b, PEM or DER) as CAs return chains; certificate signing requests, PEM or DER.
// Anything else is a clear error that names the file.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "verify/ossl.hpp"

namespace mratls::verify {

std::expected<std::vector<ossl::X509Ptr>, std::string> read_certificates(const std::string& path);
std::expected<std::vector<ossl::X509Ptr>, std::string> parse_certificates(const std::string& bytes, const std::string& name);

// Every certificate of the files, named "file" (or "file#n" when a file holds several).
struct NamedCertificate {
  std::string source;
  ossl::X509Ptr cert;
};
std::expected<std::vector<NamedCertificate>, std::string> read_named_certificates(const std::vector<std::string>& files);

std::expected<ossl::X509ReqPtr, std::string> read_request(const std::string& path);
std::expected<ossl::X509ReqPtr, std::string> parse_request(const std::string& bytes, const std::string& name);

}  // namespace mratls::verify
