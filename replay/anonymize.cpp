#include "replay/anonymize.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <regex>
#include <string_view>
#include <utility>

#include "mra/mra_path.hpp"
#include "replay/site_captures.hpp"

namespace mratls::replay {
namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_'; }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// A percent escape (%2E) at `at`: its character.
std::optional<char> escape_at(std::string_view text, std::size_t at) {
  if (at + 2 >= text.size() || text[at] != '%' || !hex(text[at + 1]) || !hex(text[at + 2])) return std::nullopt;
  return static_cast<char>(std::stoi(std::string(text.substr(at + 1, 2)), nullptr, 16));
}

// The character at `at`, an escape read as what it encodes, and `at` moved past it; nothing at
// the end of the text. Every reading of a name goes through here.
std::optional<char> next_char(std::string_view text, std::size_t& at) {
  if (at >= text.size()) return std::nullopt;
  if (const auto escaped = escape_at(text, at)) {
    at += 3;
    return escaped;
  }
  return text[at++];
}

// One table for names whatever their case or encoding: keys are decoded and in lower case, and
// text is matched so.
std::string lowered(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; const auto c = next_char(text, i);) out += lower(*c);
  return out;
}

// Whether the character at `at` may be part of a name.
bool name_char_at(std::string_view text, std::size_t at) {
  const auto c = next_char(text, at);
  return c && name_char(*c);
}

// Whether ".<digit>" follows at `at`: an address there would be the head of a longer one
// (10.0.0.5 in 10.0.0.51 or 10.0.0.5%2E1).
bool continues_an_address(std::string_view text, std::size_t at) {
  const auto dot = next_char(text, at);
  const auto digit = next_char(text, at);
  return dot == '.' && digit && std::isdigit(static_cast<unsigned char>(*digit));
}

// Whether a name may start at `at`: the character before it (or the escape before it, %20 in
// "alias%20is%20akhan") is not a name's.
bool starts_after_boundary(std::string_view text, std::size_t at) {
  if (at == 0) return true;
  if (at >= 3 && escape_at(text, at - 3)) return !name_char_at(text, at - 3);
  return !name_char(text[at - 1]);
}

// Where `name` ends if it starts at text[at]: matched without regard to case, any of its
// characters possibly percent-encoded (a user in "alias%20is%20akhan", a host as "ucm%2Ecorp").
std::size_t match_end(std::string_view text, std::size_t at, std::string_view name) {
  std::size_t j = at;
  for (const char want : name)
    if (const auto got = next_char(text, j); !got || lower(*got) != lower(want)) return std::string_view::npos;
  return j;
}

// The device names Jabber's configuration files carry: the user, in upper case, after the
// device type (CSFRPATEL.cnf.xml for rpatel).
constexpr std::string_view kDevicePrefixes[] = {"CSF", "TCT", "BOT", "TAB"};

bool after_device_prefix(std::string_view text, std::size_t at) {
  if (at < 3) return false;
  for (const auto prefix : kDevicePrefixes)
    if (match_end(text, at - 3, prefix) == at && starts_after_boundary(text, at - 3)) return true;
  return false;
}

// The users a path or line names: UDS's /user/<id>, a Jabber config file CSF<id>.cnf.xml (and
// the other device types'), ?name=<id>, and an access line's Username="<id>".
std::vector<std::string> users_in(const std::string& path) {
  static const std::regex patterns[] = {std::regex(R"(/users?/([^/?#]+))"),
                                        std::regex(R"((?:^|[^A-Za-z0-9_-])(?:CSF|TCT|BOT|TAB)([A-Za-z0-9._-]+?)\.cnf\.xml)", std::regex::icase),
                                        std::regex(R"([?&](?:name|user|username)=([^&#]+))"),
                                        std::regex(R"re(Username="([^"]+)")re")};
  std::vector<std::string> out;
  for (const auto& re : patterns)
    for (std::sregex_iterator it(path.begin(), path.end(), re), end; it != end; ++it) out.push_back((*it)[1].str());
  return out;
}

bool hex_or_colon(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':'; }

// The run of hex digits and colons that [at, at + size) lies in, a lone colon at either end
// taken as punctuation ("fd00::12: refused", "addr:fd00::12"), with where it starts.
std::pair<std::string_view, std::size_t> colon_run(std::string_view text, std::size_t at, std::size_t size) {
  std::size_t begin = at, end = at + size;
  while (begin > 0 && hex_or_colon(text[begin - 1])) --begin;
  while (end < text.size() && hex_or_colon(text[end])) ++end;
  if (end - begin >= 2 && text[begin] == ':' && text[begin + 1] != ':') ++begin;
  if (end - begin >= 2 && text[end - 1] == ':' && text[end - 2] != ':') --end;
  return {text.substr(begin, end - begin), begin};
}

// A serial number, a fingerprint or an EUI-64 written as bytes (02:1a:2b:ff:fe:3c:4d:5e): every
// group two hex digits and nothing left out. Some parse as IPv6; an address is not written so.
bool colon_hex_bytes(std::string_view run) {
  if (run.find("::") != std::string_view::npos) return false;
  std::size_t group = 0;
  for (const char c : run) {
    if (c == ':') {
      if (group != 2) return false;
      group = 0;
    } else {
      ++group;
    }
  }
  return group == 2;
}

// Every IP address in a text (server=host(10.0.0.5), SNI (10.0.0.5), server=host(2001:db8::5)).
// An IPv6 candidate is a whole run of hex digits and colons, not inside a word, that parses as
// an address: an OpenSSL error code (error:1416F086:SSL) or a time (18:55:26) does not.
std::vector<std::string> addresses_in(const std::string& text) {
  static const std::regex ipv4(R"((?:^|[^0-9.])((?:\d{1,3}\.){3}\d{1,3})(?![0-9]))");
  std::vector<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), ipv4), end; it != end; ++it) out.push_back((*it)[1].str());
  const std::string_view view(text);
  for (std::size_t i = 0; i < view.size();) {
    if (!hex_or_colon(view[i])) {
      ++i;
      continue;
    }
    const auto [run, begin] = colon_run(view, i, 1);
    const auto end = begin + run.size();
    const bool in_word = (begin > 0 && std::isalnum(static_cast<unsigned char>(view[begin - 1]))) ||
                         (end < view.size() && std::isalnum(static_cast<unsigned char>(view[end])));
    if (!in_word && std::ranges::count(run, ':') >= 2 && mra::is_ip_literal(run) && !colon_hex_bytes(run)) out.emplace_back(run);
    i = std::max(end, i + 1);
    while (i < view.size() && hex_or_colon(view[i])) ++i;
  }
  return out;
}

bool looks_like_host(const std::string& v) {
  return v.find('.') != std::string::npos && v.find(' ') == std::string::npos && !mra::is_ip_literal(v);
}

}  // namespace

Pseudonyms::Pseudonyms(const std::vector<SiteModel>& sites) {
  for (const auto& s : sites) {
    for (const auto& d : s.domains) learn_domain(d);
    for (const auto& o : s.origins) learn_domain(o.domain);
  }
  for (const auto& s : sites) {
    if (!s.system.empty() && !table_.contains(lowered(s.system)))
      table_[lowered(s.system)] = "expressway-c" + std::to_string(++counters_["system"]);
    for (const auto& o : s.origins) {
      o.host_is_ip ? learn_address(o.host) : learn_host(o.host);
      for (const auto& r : o.requests) {
        if (!r.user.empty()) learn_user(r.user);
        for (const auto& u : users_in(r.path)) learn_user(u);
      }
      for (const auto& l : o.lines) {
        for (const auto& a : addresses_in(l)) learn_address(a);
        for (const auto& u : users_in(l)) learn_user(u);
      }
      if (!o.captured) continue;
      for (const auto& c : o.captured->chain) {
        for (const auto& n : c.dns_sans) mra::is_ip_literal(n) ? learn_address(n) : learn_host(n);
        for (const auto& a : c.ip_sans) learn_address(a);
        for (const auto* name : {&c.subject, &c.issuer})
          for (const auto& f : *name) {
            if (mra::is_ip_literal(f.value)) learn_address(f.value);
            else if (f.field == "CN" && looks_like_host(f.value)) learn_host(f.value);
            else if (f.field != "C") learn_other(f.value);
          }
      }
    }
  }
}

void Pseudonyms::learn_domain(const std::string& name) {
  const auto domain = lowered(name);
  if (domain.empty() || table_.contains(domain)) return;
  table_[domain] = "site" + std::to_string(++counters_["domain"]) + ".example";
  domains_.push_back(domain);
}

void Pseudonyms::learn_host(const std::string& name) {
  const auto host = lowered(name);
  if (host.empty() || table_.contains(host)) return;
  // Under a known domain a host keeps it, as its pseudonym; a wildcard keeps its star.
  std::string best;
  for (const auto& d : domains_)
    if (host.size() > d.size() + 1 && host.ends_with("." + d) && d.size() > best.size()) best = d;
  const auto n = std::to_string(++counters_["host"]);
  if (host.starts_with("*.")) table_[host] = "*." + (best.empty() ? "wild" + n + ".example" : table_.at(best));
  else table_[host] = "node" + n + "." + (best.empty() ? std::string("elsewhere.example") : table_.at(best));
}

void Pseudonyms::learn_address(const std::string& spelt) {
  const auto address = lowered(spelt);
  if (address.empty() || table_.contains(address)) return;
  // Addresses of the documentation ranges (RFC 5737, RFC 3849), so no one is pointed at a real
  // one, and an address of either family stays one of its own family.
  if (address.find(':') != std::string::npos) {
    // Spelt as a line or a certificate spells it (fd00::12, FD00:0:0:0:0:0:0:12): one address.
    std::string canonical = address;
    unsigned char bytes[16];
    char text[64];
    if (inet_pton(AF_INET6, address.c_str(), bytes) == 1 && inet_ntop(AF_INET6, bytes, text, sizeof text)) canonical = text;
    auto& pseudonym = ipv6_by_canonical_[canonical];
    if (pseudonym.empty()) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "%x", ++counters_["address6"]);
      pseudonym = std::string("2001:db8::") + hex;
    }
    table_[address] = pseudonym;
    return;
  }
  const int n = ++counters_["address"];
  static const char* ranges[] = {"192.0.2.", "198.51.100.", "203.0.113."};
  table_[address] = ranges[((n - 1) / 254) % 3] + std::to_string((n - 1) % 254 + 1);
}

void Pseudonyms::learn_user(const std::string& name) {
  const auto user = lowered(name);
  if (user.empty() || table_.contains(user)) return;
  table_[user] = "user" + std::to_string(++counters_["user"]);
}

void Pseudonyms::learn_other(const std::string& text) {
  const auto value = lowered(text);
  if (value.empty() || table_.contains(value) || subject_values_.contains(value)) return;
  subject_values_[value] = "name" + std::to_string(++counters_["other"]);
}

std::string Pseudonyms::apply(const std::string& text) const { return replaced(text, table_); }

std::string Pseudonyms::apply_to_certificate_text(const std::string& text) const {
  auto both = table_;
  both.insert(subject_values_.begin(), subject_values_.end());
  return replaced(text, both);
}

std::string Pseudonyms::replaced(const std::string& text, const std::map<std::string, std::string>& table) {
  // Longest first, so that a host is replaced whole before its domain could be.
  std::vector<const std::pair<const std::string, std::string>*> names;
  for (const auto& entry : table) names.push_back(&entry);
  std::ranges::sort(names, [](auto* a, auto* b) { return a->first.size() > b->first.size(); });
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    // A name starts after a character that is not a name's, a device type (CSF) or a percent
    // escape (%20 in "alias%20is%20akhan").
    const bool boundary_before = starts_after_boundary(text, i) || after_device_prefix(text, i);
    const std::pair<const std::string, std::string>* hit = nullptr;
    std::size_t end = 0;
    if (boundary_before)
      for (auto* n : names) {
        const auto& from = n->first;
        end = match_end(text, i, from);
        if (end == std::string_view::npos) continue;
        const bool boundary_after = end == text.size() || !name_char_at(text, end) || match_end(text, end, ".cnf.xml") != std::string_view::npos;
        // An IPv6 address must be the whole run of hex digits and colons it lies in, not part
        // of a longer one (2001:db8::5 in 2001:db8::5:1); a colon after it is punctuation.
        if (from.find(':') != std::string::npos && colon_run(text, i, end - i).first != std::string_view(text).substr(i, end - i))
          continue;
        // An address must not be the head of a longer one (10.0.0.5 in 10.0.0.51).
        if (!boundary_after || (std::isdigit(static_cast<unsigned char>(from.back())) && continues_an_address(text, end))) continue;
        hit = n;
        break;
      }
    if (hit) {
      out += hit->second;
      i = end;
    } else {
      out += text[i++];
    }
  }
  return out;
}

void Pseudonyms::apply(SiteModel& site) const {
  site.system = apply(site.system);
  for (auto& d : site.domains) d = apply(d);
  for (auto& e : site.settings.evidence) e = apply(e);
  for (auto& o : site.origins) {
    o.host = apply(o.host);
    o.domain = apply(o.domain);
    for (auto& r : o.requests) {
      r.path = apply(r.path);
      r.user = apply(r.user);
    }
    for (auto& l : o.lines) l = apply(l);
  }
  int certificate = 0;
  for (auto& o : site.origins) {
    if (!o.captured) continue;
    for (auto& c : o.captured->chain) {
      for (auto* name : {&c.subject, &c.issuer})
        for (auto& field : *name) field.value = apply_to_certificate_text(field.value);
      if (c.first_cn) *c.first_cn = apply_to_certificate_text(*c.first_cn);
      for (auto& n : c.dns_sans) n = apply(n);
      for (auto& n : c.ip_sans) n = apply(n);
      c.subject_text = apply_to_certificate_text(c.subject_text);
      c.issuer_text = apply_to_certificate_text(c.issuer_text);
      // A fingerprint or key id can be looked up; what the replay needs is only that one
      // certificate keeps one identity.
      c.sha256_fingerprint = "anonymized:" + std::to_string(++certificate);
      c.subject_key_id.clear();
      c.authority_key_id.clear();
      c.key.modulus_md5.clear();
      c.key.sha256.clear();
    }
  }
}

void anonymize(Snapshot& snapshot, const std::vector<std::string>& files) {
  const Pseudonyms names(snapshot.sites);
  for (auto& site : snapshot.sites) {
    names.apply(site);
    for (auto& o : site.origins) diagnose(o);
  }
  auto without_files = [&](std::string text) {
    for (std::size_t i = 0; i < files.size(); ++i)
      for (auto at = text.find(files[i]); at != std::string::npos; at = text.find(files[i], at))
        text.replace(at, files[i].size(), "input " + std::to_string(i + 1));
    return names.apply(text);
  };
  for (auto& n : snapshot.notes) n = without_files(n);
  for (auto& s : snapshot.skipped) s = without_files(s);
}

}  // namespace mratls::replay
