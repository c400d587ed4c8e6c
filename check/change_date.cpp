#include "check/change_date.hpp"

#include <charconv>
#include <algorithm>

#include "check/report.hpp"
#include "mra/mra_path.hpp"
#include "verify/doctor/certificate_facts.hpp"

namespace mratls::check {
namespace {

constexpr std::time_t kDay = 24 * 60 * 60;

std::string day(std::time_t t) { return verify::doctor::iso_day(t); }

// Whole days, rounded up: a certificate that expires 5 hours after the change is "1 day after".
long days_between(std::time_t from, std::time_t to) { return static_cast<long>((to - from + kDay - 1) / kDay); }

std::string name_of(const verify::doctor::CertificateFacts& f) {
  return "'" + (f.first_cn ? *f.first_cn : f.subject_text) + "' (SHA-256 " + f.sha256_fingerprint + ")";
}

}  // namespace

std::expected<std::time_t, std::string> parse_change_date(std::string_view text) {
  const auto bad = [&] {
    return std::unexpected("--at '" + std::string(text) +
                           "' is not a date: give the day of the change as 2027-03-01 (UTC) or a time as 2027-03-01T22:00:00Z");
  };
  // YYYY-MM-DD, then THH:MM:SSZ or THH:MMZ, each field its exact digits.
  const auto field = [&](std::size_t at, std::size_t width, int& out) {
    const char* s = text.data() + at;
    return at + width <= text.size() && std::from_chars(s, s + width, out).ptr == s + width && out >= 0;
  };
  std::tm tm{};
  int year = 0, month = 0, mday = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !field(0, 4, year) || !field(5, 2, month) || !field(8, 2, mday))
    return bad();
  if (text.size() > 10) {
    const bool with_seconds = text.size() == 20 && text[16] == ':';
    if ((text.size() != 17 && !with_seconds) || text[10] != 'T' || text[13] != ':' || text.back() != 'Z' ||
        !field(11, 2, hour) || !field(14, 2, minute) || (with_seconds && !field(17, 2, second)) || hour > 23 || minute > 59 ||
        second > 59)
      return bad();
  }
  // A day alone stands for the whole day: its last second, so that a certificate expiring at
  // any hour of the day of the change fails.
  if (text.size() == 10) hour = 23, minute = 59, second = 59;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = mday;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm);
  // timegm moves 2027-02-30 to March: a date that does not come back as written does not exist.
  std::tm back{};
  if (t == -1 || !gmtime_r(&t, &back) || back.tm_year != year - 1900 || back.tm_mon != month - 1 || back.tm_mday != mday)
    return bad();
  return t;
}

std::vector<std::string> change_date_warnings(const Report& report, const verify::TrustStore* trust, std::time_t at) {
  std::vector<std::string> warnings;
  const std::time_t horizon = at + kExpiryWarningDays * kDay;
  // Each certificate once, with every node and port that presents it.
  std::vector<std::pair<verify::doctor::CertificateFacts, std::vector<std::string>>> expiring;
  for (const auto& row : report.rows) {
    const auto& p = row.probe;
    const std::string where = mra::host_port(p.target.node, p.target.port);
    for (const auto& der : p.chain_der) {
      auto cert = ossl::from_der(der);
      if (!cert) continue;
      auto facts = verify::doctor::certificate_facts(cert->get());
      if (facts.not_after <= at || facts.not_after > horizon) continue;
      auto known = std::ranges::find_if(expiring, [&](const auto& e) { return e.first.sha256_fingerprint == facts.sha256_fingerprint; });
      if (known == expiring.end()) expiring.push_back({std::move(facts), {where}});
      else if (std::ranges::find(known->second, where) == known->second.end()) known->second.push_back(where);
    }
  }
  for (const auto& [facts, presented_by] : expiring) {
    std::string nodes;
    for (const auto& n : presented_by) nodes += (nodes.empty() ? "" : ", ") + n;
    warnings.push_back("the certificate " + name_of(facts) + " expires " + day(facts.not_after) + ", " +
                       std::to_string(days_between(at, facts.not_after)) + " days after the change (presented by " + nodes +
                       "): renew it before the change, or plan its renewal with it");
  }
  if (trust) {
    const auto& sources = trust->sources();
    for (std::size_t i = 0; i < trust->certificates().size(); ++i) {
      const auto facts = verify::doctor::certificate_facts(trust->certificates()[i].get());
      const std::string where = i < sources.size() && !sources[i].empty() ? " (" + sources[i] + ")" : "";
      const std::string entry = "the trust store's " + name_of(facts) + where;
      if (facts.not_after <= at)
        warnings.push_back(entry + " will have expired by the change (" + day(facts.not_after) +
                           "): chains that lead to it fail; renew it and upload the new one");
      else if (facts.not_before > at)
        warnings.push_back(entry + " is not yet valid at the change (valid from " + day(facts.not_before) + ")");
      else if (facts.not_after <= horizon)
        warnings.push_back(entry + " expires " + day(facts.not_after) + ", " + std::to_string(days_between(at, facts.not_after)) +
                           " days after the change");
    }
  }
  return warnings;
}

}  // namespace mratls::check
