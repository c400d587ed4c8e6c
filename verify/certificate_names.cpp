#include "verify/certificate_names.hpp"

#include <arpa/inet.h>

#include "verify/ossl.hpp"

namespace mratls::verify {
namespace {

void free_extensions(STACK_OF(X509_EXTENSION) * extensions) { sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free); }

}  // namespace

std::string ip_bytes_to_text(const unsigned char* data, int length) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (length == 4) inet_ntop(AF_INET, data, buf, sizeof buf);
  else if (length == 16) inet_ntop(AF_INET6, data, buf, sizeof buf);
  else return "<invalid address>";
  return buf;
}

CertificateNames names_of(const GENERAL_NAMES* sans, const X509_NAME* subject) {
  CertificateNames names;
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
    if (gn->type == GEN_DNS) {
      const ASN1_IA5STRING* s = gn->d.dNSName;
      names.dns_sans.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                  static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = gn->d.iPAddress;
      names.ip_sans.push_back(ip_bytes_to_text(ASN1_STRING_get0_data(s), ASN1_STRING_length(s)));
    }
  }
  int index = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
  if (index >= 0) {
    names.first_cn = ossl::utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  }
  return names;
}

CertificateNames certificate_names(X509* cert) {
  ossl::GeneralNamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  return names_of(sans.get(), X509_get_subject_name(cert));
}

CertificateNames request_names(X509_REQ* request) {
  using ExtensionsPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ossl::Deleter<free_extensions>>;
  ExtensionsPtr extensions(X509_REQ_get_extensions(request));
  ossl::GeneralNamesPtr sans(
      extensions ? static_cast<GENERAL_NAMES*>(X509V3_get_d2i(extensions.get(), NID_subject_alt_name, nullptr, nullptr))
                 : nullptr);
  return names_of(sans.get(), X509_REQ_get_subject_name(request));
}

}  // namespace mratls::verify
