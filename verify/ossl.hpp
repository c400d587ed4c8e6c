// RAII ownership of OpenSSL objects: every pointer this project holds is one of these.
#pragma once

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mratls::ossl {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PKeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

inline X509Ptr up_ref(X509* x) {
  if (x) X509_up_ref(x);
  return X509Ptr(x);
}
inline PKeyPtr up_ref(EVP_PKEY* k) {
  if (k) EVP_PKEY_up_ref(k);
  return PKeyPtr(k);
}

// The text of the oldest error on this thread's OpenSSL queue (and clears the queue).
std::string take_error_text();

// What a memory BIO holds, as a string.
std::string drain(BIO* bio);

// An ASN.1 string as UTF-8; nullopt when OpenSSL cannot convert it.
std::optional<std::string> utf8(const ASN1_STRING* s);

// Every PEM certificate of `pem`, in order; `broken` when reading stopped at something other
// than the end of the certificates (a damaged block: the next certificate's number is
// certificates.size() + 1).
struct PemCertificates {
  std::vector<X509Ptr> certificates;
  bool broken = false;
};
PemCertificates read_pem_certificates(std::string_view pem);

// PEM text of a certificate / private key.
std::string to_pem(X509* cert);
std::string to_pem(EVP_PKEY* key);
// A certificate from its DER bytes (what a probe keeps of a chain), or none.
std::optional<X509Ptr> from_der(std::string_view der);

}  // namespace mratls::ossl
