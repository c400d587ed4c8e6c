#include "verify/certificate_file.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include <fstream>
#include <sstream>

namespace mratls::verify {
namespace {

using Pkcs7Ptr = std::unique_ptr<PKCS7, ossl::Deleter<PKCS7_free>>;

std::vector<ossl::X509Ptr> from_pkcs7(PKCS7* p7) {
  std::vector<ossl::X509Ptr> out;
  STACK_OF(X509)* certs = nullptr;
  if (OBJ_obj2nid(p7->type) == NID_pkcs7_signed && p7->d.sign) certs = p7->d.sign->cert;
  else if (OBJ_obj2nid(p7->type) == NID_pkcs7_signedAndEnveloped && p7->d.signed_and_enveloped) certs = p7->d.signed_and_enveloped->cert;
  for (int i = 0; certs && i < sk_X509_num(certs); ++i) out.push_back(ossl::up_ref(sk_X509_value(certs, i)));
  return out;
}

std::expected<std::string, std::string> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(path + ": cannot open the file");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

std::expected<std::vector<ossl::X509Ptr>, std::string> parse_certificates(const std::string& bytes, const std::string& name) {
  std::vector<ossl::X509Ptr> out;
  ERR_clear_error();
  if (bytes.find("CERTIFICATE REQUEST-----") != std::string::npos && bytes.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return std::unexpected(name + ": this is a certificate signing request, not a certificate");
  if (bytes.find("-----BEGIN PKCS7-----") != std::string::npos) {
    ossl::BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    Pkcs7Ptr p7(PEM_read_bio_PKCS7(bio.get(), nullptr, nullptr, nullptr));
    if (!p7) return std::unexpected(name + ": broken PEM PKCS#7 bundle");
    out = from_pkcs7(p7.get());
  } else if (bytes.find("-----BEGIN") != std::string::npos) {
    auto read = ossl::read_pem_certificates(bytes);
    out = std::move(read.certificates);
    if (read.broken) return std::unexpected(name + ": broken PEM certificate number " + std::to_string(out.size() + 1));
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
    if (X509* cert = d2i_X509(nullptr, &p, static_cast<long>(bytes.size()))) {
      out.emplace_back(cert);
    } else {
      p = reinterpret_cast<const unsigned char*>(bytes.data());
      Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(bytes.size())));
      if (p7) out = from_pkcs7(p7.get());
    }
  }
  ERR_clear_error();
  if (out.empty()) return std::unexpected(name + ": no certificate found (expected PEM, DER or PKCS#7)");
  return out;
}

std::expected<std::vector<ossl::X509Ptr>, std::string> read_certificates(const std::string& path) {
  auto bytes = read_bytes(path);
  if (!bytes) return std::unexpected(bytes.error());
  return parse_certificates(*bytes, path);
}

std::expected<ossl::X509ReqPtr, std::string> parse_request(const std::string& bytes, const std::string& name) {
  ERR_clear_error();
  ossl::X509ReqPtr request;
  if (bytes.find("-----BEGIN") != std::string::npos) {
    // Both "CERTIFICATE REQUEST" and the older "NEW CERTIFICATE REQUEST" armour.
    ossl::BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    request.reset(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!request && bytes.find("CERTIFICATE REQUEST-----") != std::string::npos) {
      ERR_clear_error();
      return std::unexpected(name + ": broken PEM certificate request");
    }
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
    request.reset(d2i_X509_REQ(nullptr, &p, static_cast<long>(bytes.size())));
  }
  ERR_clear_error();
  if (!request) {
    if (auto certs = parse_certificates(bytes, name); certs)
      return std::unexpected(name + ": this is a certificate, not a certificate signing request");
    return std::unexpected(name + ": no certificate signing request found (expected PEM or DER)");
  }
  return request;
}

std::expected<ossl::X509ReqPtr, std::string> read_request(const std::string& path) {
  auto bytes = read_bytes(path);
  if (!bytes) return std::unexpected(bytes.error());
  return parse_request(*bytes, path);
}

std::expected<std::vector<NamedCertificate>, std::string> read_named_certificates(const std::vector<std::string>& files) {
  std::vector<NamedCertificate> out;
  for (const auto& file : files) {
    auto certs = read_certificates(file);
    if (!certs) return std::unexpected(certs.error());
    const bool several = certs->size() > 1;
    for (std::size_t i = 0; i < certs->size(); ++i)
      out.push_back({several ? file + "#" + std::to_string(i + 1) : file, std::move((*certs)[i])});
  }
  return out;
}

}  // namespace mratls::verify
