// --anonymize: every domain, host, user, address, system and certificate name of a site model
// replaced consistently, before anything is shown, replayed or written, so that a reproduction can
// be shared without the customer's names. The causes and the shapes of the lines stay as they
// were: a name becomes another name, an address another address of the same family. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "replay/site_model.hpp"
#include "replay/snapshot.hpp"

namespace mratls::replay {

class Pseudonyms {
 public:
  // Learns the names of the sites (domains first, so that hosts keep their domain's pseudonym).
  explicit Pseudonyms(const std::vector<SiteModel>& sites);

  // `text` with every known name replaced, in one pass, longest name first, at name boundaries.
  std::string apply(const std::string& text) const;
  void apply(SiteModel& site) const;
  // A subject or issuer field's value, or a DN's text.
  std::string apply_to_certificate_text(const std::string& text) const;

  const std::map<std::string, std::string>& table() const { return table_; }

 private:
  void learn_domain(const std::string& domain);
  void learn_host(const std::string& host);
  void learn_address(const std::string& address);
  void learn_user(const std::string& user);
  void learn_other(const std::string& value);
  static std::string replaced(const std::string& text, const std::map<std::string, std::string>& table);
  std::map<std::string, std::string> table_;
  // Organisation and other subject values: replaced in certificate fields only, since a value
  // such as "Core" must not turn a line's words into a pseudonym.
  std::map<std::string, std::string> subject_values_;
  std::map<std::string, int> counters_;
  std::map<std::string, std::string> ipv6_by_canonical_;  // one pseudonym for every spelling
  std::vector<std::string> domains_;  // originals, for hosts below them
};

// The snapshot's sites renamed, their causes and fixes said again in the new names, and the
// input files named by their order only (a file name may carry the customer's).
void anonymize(Snapshot& snapshot, const std::vector<std::string>& files);

}  // namespace mratls::replay
