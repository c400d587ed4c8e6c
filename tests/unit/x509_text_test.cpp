#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "verify/x509_text.hpp"

using namespace mratls;
using verify::x509_error_text;
using Style = config::OpenSslText;

TEST(X509Text, ExpresswayWordingIsOpenSsl111) {
  EXPECT_EQ(x509_error_text(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, Style::Expressway), "self signed certificate");
  EXPECT_EQ(x509_error_text(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, Style::Expressway),
            "self signed certificate in certificate chain");
  EXPECT_EQ(x509_error_text(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, Style::Expressway),
            "unable to get local issuer certificate");
  EXPECT_EQ(x509_error_text(X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, Style::Expressway),
            "unable to verify the first certificate");
  EXPECT_EQ(x509_error_text(X509_V_ERR_CERT_HAS_EXPIRED, Style::Expressway), "certificate has expired");
  EXPECT_EQ(x509_error_text(X509_V_ERR_CERT_NOT_YET_VALID, Style::Expressway), "certificate is not yet valid");
  EXPECT_EQ(x509_error_text(X509_V_ERR_CERT_CHAIN_TOO_LONG, Style::Expressway), "certificate chain too long");
  EXPECT_EQ(x509_error_text(X509_V_ERR_INVALID_PURPOSE, Style::Expressway), "unsupported certificate purpose");
  EXPECT_EQ(x509_error_text(X509_V_ERR_CERT_SIGNATURE_FAILURE, Style::Expressway), "certificate signature failure");
  EXPECT_EQ(x509_error_text(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, Style::Expressway), "unable to get issuer certificate");
}

TEST(X509Text, NativeWordingIsOpenSsl3) {
  EXPECT_EQ(x509_error_text(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, Style::Native), "self-signed certificate");
}

TEST(X509Text, VerifyFailedLineText) {
  EXPECT_EQ(verify::certificate_verify_failed_text(Style::Expressway),
            "error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed");
  EXPECT_EQ(verify::certificate_verify_failed_text(Style::Native), "error:0A000086:SSL routines::certificate verify failed");
  EXPECT_EQ(verify::ssl_error_text(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_TLSV1_ALERT_UNKNOWN_CA), Style::Expressway),
            "error:14094418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca");
}
