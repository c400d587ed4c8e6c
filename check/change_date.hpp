// check --at: the certificates judged at the date of the change rather than today. The probes
// verify at that time (the handshake's verifier is given it); what a verdict cannot show, a
// certificate that expires soon after the change or a trust store entry nothing used, becomes
// a warning.
#pragma once

#include <ctime>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "verify/trust_store.hpp"

namespace mratls::check {

struct Report;

// "2027-03-01T22:00:00Z", or "2027-03-01": the day's last second (UTC), so that whatever expires
// that day counts as expired; errors name the text.
std::expected<std::time_t, std::string> parse_change_date(std::string_view text);

// A certificate expiring within this many days after the change is a warning.
inline constexpr int kExpiryWarningDays = 30;

// Every certificate a node presented that expires within kExpiryWarningDays after `at`; every
// trust store certificate expired, not yet valid, or expiring within them by then.
std::vector<std::string> change_date_warnings(const Report& report, const verify::TrustStore* trust, std::time_t at);

}  // namespace mratls::check
