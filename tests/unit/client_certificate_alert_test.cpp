// Which alerts are about Expressway-C's client certificate: those that can only be, always;
// a handshake failure or "certificate unknown" only after the node's CertificateRequest.
#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include "scan/outcome_text.hpp"
#include "verify/client_certificate_alert.hpp"
#include "verify/fix_catalogue.hpp"

using namespace mratls;
using namespace mratls::verify;

TEST(ClientCertificateAlert, AlertsThatCanOnlyConcernTheClientCertificate) {
  for (auto [reason, words] : {std::pair{SSL_R_TLSV1_ALERT_UNKNOWN_CA, "unknown ca"},
                               std::pair{SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, "certificate required"},
                               std::pair{SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, "bad certificate"},
                               std::pair{SSL_R_TLSV1_ALERT_ACCESS_DENIED, "access denied"},
                               std::pair{SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported certificate"}}) {
    for (bool requested : {false, true}) {
      auto a = client_certificate_alert(reason, requested);
      ASSERT_TRUE(a) << words;
      EXPECT_EQ(a->words, words);
      EXPECT_EQ(a->none_presented, reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED) << words;
    }
  }
}

TEST(ClientCertificateAlert, AHandshakeFailureIsAboutTheClientCertificateOnlyAfterACertificateRequest) {
  EXPECT_FALSE(client_certificate_alert(SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, false)) << "a cipher mismatch reads the same";
  ASSERT_TRUE(client_certificate_alert(SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, true));
  EXPECT_EQ(client_certificate_alert(SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, true)->words, "handshake failure");
  EXPECT_FALSE(client_certificate_alert(SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, false));
  EXPECT_TRUE(client_certificate_alert(SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, true));
  EXPECT_FALSE(client_certificate_alert(SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, true));
}

TEST(ClientCertificateAlert, ScanReadsEveryClientCertificateAlertFromTheErrorLine) {
  const std::string prefix = "[ET_NET 0] ERROR: SSL connection failed for 'cucm.steven.lab': error:1409445C:SSL routines:ssl3_read_bytes:";
  auto required = scan::outcome_of_line(prefix + "tlsv13 alert certificate required");
  ASSERT_TRUE(required);
  const auto* r = std::get_if<ClientCertificateRefused>(&*required);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->name, "cucm.steven.lab");
  EXPECT_EQ(r->alert, "certificate required");
  EXPECT_FALSE(r->presented);
  auto denied = scan::outcome_of_line(prefix + "tlsv1 alert access denied");
  ASSERT_TRUE(denied && std::holds_alternative<ClientCertificateRefused>(*denied));
  EXPECT_EQ(explain(*denied).cause, Cause::ClientCertRejected);
  // From a line alone a handshake failure says nothing about a CertificateRequest.
  EXPECT_FALSE(scan::outcome_of_line(prefix + "sslv3 alert handshake failure"));
}

TEST(ClientCertificateAlert, TheFixSaysWhenNoCertificateWasPresented) {
  auto none = explain(ClientCertificateRefused{"cucm.lab", "certificate required", false});
  EXPECT_NE(none.summary.find("presented none"), std::string::npos) << none.summary;
  EXPECT_NE(none.fix.find("--client-cert"), std::string::npos) << none.fix;
  auto bad = explain(ClientCertificateRefused{"cucm.lab", "bad certificate", true});
  EXPECT_NE(bad.fix.find("clientAuth"), std::string::npos) << bad.fix;
}
