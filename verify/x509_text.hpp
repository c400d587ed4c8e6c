// The texts the appliance prints. Expressway's traffic server links OpenSSL 1.1.1, whose wording
// differs from the OpenSSL 3 this project links ("self signed" vs "self-signed", and the packed
// error codes of the ERROR line).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace mratls::verify {

// X509_V_ERR_* code → the verification error text.
std::string x509_error_text(int code, config::OpenSslText style);

// The reverse, for text read back from a log: either wording; nullopt for a text neither uses.
std::optional<int> x509_error_code(std::string_view text);

// An OpenSSL 3 error-queue code (ERR_get_error) from a failed handshake → the text after
// "SSL connection failed for '<name>': ".
std::string ssl_error_text(unsigned long code, config::OpenSslText style);

// The text for a handshake that failed because our own verification refused the certificate.
std::string certificate_verify_failed_text(config::OpenSslText style);

}  // namespace mratls::verify
