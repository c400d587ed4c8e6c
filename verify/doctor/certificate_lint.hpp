// Findings about one certificate, each with a severity and the products it breaks: the rules
// collaboration engineers check by hand before and after uploading a certificate.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "verify/doctor/certificate_facts.hpp"

namespace mratls::verify::doctor {

enum class Severity { Error, Warning, Note };
std::string to_string(Severity s);

struct LintFinding {
  std::string rule;  // stable identifier: cn-not-in-san, critical-extension, …
  Severity severity = Severity::Note;
  std::string message;
  std::string breaks;  // the products or clients that fail because of it
};

inline constexpr std::time_t kExpiryWarning = 30 * 24 * 3600;

std::vector<LintFinding> lint(const CertificateFacts& certificate, std::time_t now);

// Errors and warnings count as findings (exit 1); notes do not.
bool counts(const LintFinding& finding);

}  // namespace mratls::verify::doctor
