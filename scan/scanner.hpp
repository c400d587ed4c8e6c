// mratls scan's core: correlates the lines of diagnostic logs into transactions (per process
// id and Txn-id), attaches the WARNING/ERROR lines to the request whose origin they name, and
// sums up per origin: requests, successes, failures, the cause and the fix. Memory stays
// bounded: open transactions only, and a few evidence samples per origin.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "verify/fix_catalogue.hpp"
#include "scan/log_record.hpp"

namespace mratls::scan {

struct Evidence {
  std::string decoded;  // "steven.lab/https/cucm.steven.lab/6972 /CSFemusk.cnf.xml"
  std::vector<std::string> lines;
};

struct OriginSummary {
  std::string host;
  int port = 0;
  std::string protocol;
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;       // 2xx
  std::uint64_t failed = 0;   // 502/504
  std::uint64_t denied = 0;   // 403
  std::string first_failure;  // time as written
  std::string last_failure;
  verify::Diagnosis diagnosis;        // the most frequent cause
  std::map<verify::Cause, std::uint64_t> causes;
  std::vector<std::string> notes;
  std::vector<Evidence> evidence;  // up to kEvidencePerOrigin failing transactions
  bool host_is_ip = false;
  std::int64_t first_failure_ms = 0;  // 0: not known
  std::int64_t last_failure_ms = 0;
  std::int64_t last_ok_ms = 0;
};

// One request as the logs tell it, closed by its response: what a replay of the site reads
// (`mratls lab --from`). Only requests whose MRA segment decodes to an origin.
struct TransactionRecord {
  std::string system;  // the syslog host: the Expressway-C node that wrote the lines
  int pid = 0;
  std::string txn_id;
  std::int64_t start_ms = 0;
  std::string domain;
  std::string protocol;
  std::string host;
  int port = 0;
  bool host_is_ip = false;
  std::string method;
  std::string path;       // after the MRA segment, with its query
  int status = 0;
  std::string rule_type;  // the allow-list rule's Type=, when the access line was logged
  std::string user;       // the access line's Username=, when it was logged
  bool denied = false;
  std::vector<std::string> reasons;  // the WARNING/ERROR (and denial) lines
};

struct ScanStats {
  std::uint64_t lines = 0;
  std::uint64_t traffic_lines = 0;
  std::uint64_t foreign_lines = 0;
  std::uint64_t garbled_lines = 0;
  std::uint64_t transactions = 0;
  std::uint64_t incomplete_transactions = 0;
  std::uint64_t outside_window = 0;
  std::uint64_t undecodable_paths = 0;
};

struct ScanWindow {
  std::optional<std::int64_t> since_ms;
  std::optional<std::int64_t> until_ms;
};

class Scanner {
 public:
  static constexpr std::size_t kEvidencePerOrigin = 3;

  explicit Scanner(ScanWindow window = {}) : window_(window) {}
  // One physical line of `source` (a file or archive member): sources are independent streams.
  void feed(std::string_view line, const std::string& source);
  // Ends every stream: open transactions count as incomplete.
  void finish();

  std::vector<OriginSummary> origins() const;  // failing first, then by host and port
  // Called for every decodable request as its response is read, in the order of the responses.
  void on_transaction(std::function<void(const TransactionRecord&)> observer) { observer_ = std::move(observer); }
  const ScanStats& stats() const { return stats_; }

 private:
  struct Txn {
    std::string id;
    int pid = 0;
    std::int64_t start_ms = 0;
    std::string time_text;
    std::string system;
    std::string host;
    int port = 0;
    std::string protocol;
    std::string domain;
    std::string method;
    std::string path;
    std::string rule_type;
    std::string user;
    std::string decoded;
    bool host_is_ip = false;
    bool decodable = false;
    bool denied = false;
    std::vector<std::string> lines;
    std::vector<std::string> reasons;
  };
  struct Stream {
    std::map<std::pair<int, std::string>, Txn> open;  // (pid, Txn-id)
    std::optional<LogRecord> debug;                  // a DEBUG block being gathered
    std::vector<std::string> debug_lines;
  };

  void handle(LogRecord record, Stream& stream);
  void close(Txn& txn, int status);
  Txn* owner_of(Stream& stream, int pid, const std::string& text);
  void evict_stale(Stream& stream, std::int64_t now_ms);

  ScanWindow window_;
  std::function<void(const TransactionRecord&)> observer_;
  std::map<std::string, Stream> streams_;
  std::map<std::pair<std::string, int>, OriginSummary> origins_;
  ScanStats stats_;
};

// Reads every file (and archive member) oldest first, as one stream, so that a transaction
// split across rotated logs is joined up, then finishes the scanner. Names what it skipped.
std::expected<void, std::string> scan_files(const std::vector<std::string>& files, Scanner& scanner,
                                            std::vector<std::string>& skipped);

}  // namespace mratls::scan
