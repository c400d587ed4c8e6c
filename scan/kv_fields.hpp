// The key="value" fields of a traffic_server entry (UTCTime="…" Module="…" Level="INFO": Detail=…),
// read from its joined text (wrapped_text.hpp): a wrap may fall inside a key ("Last-via-" /
// "addr"), inside a value, or between two fields. Words that are not fields are passed over.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mratls::scan {

class KvFields {
 public:
  explicit KvFields(std::string_view joined);

  // The value as written (breaks kept), when the key is there.
  std::optional<std::string_view> raw(std::string_view key) const;
  // The value with its breaks resolved for what it holds (wrapped_text.hpp); empty when absent.
  std::string ident(std::string_view key) const;
  std::string words(std::string_view key) const;
  bool has(std::string_view key) const { return raw(key).has_value(); }
  // Every value, in order: a field whose key a note misprinted ("Msq=") is still read by what it holds.
  const std::vector<std::pair<std::string_view, std::string_view>>& all() const { return fields_; }
  // Whether a key is "Key" with breaks inside it.
  static bool key_is(std::string_view written, std::string_view key);

 private:
  std::vector<std::pair<std::string_view, std::string_view>> fields_;  // key as written, value
};

}  // namespace mratls::scan
