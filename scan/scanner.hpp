// mratls scan's core: gathers the lines of diagnostic logs into entries (log_entry.hpp), correlates
// them into transactions (per process id and Txn-id), ties each WARNING/ERROR line to the request
// whose origin it names, and sums up per origin: requests, successes, failures, the cause and the
// fix. A failure whose Receive Request is not in the log (a log that starts mid-login, INFO lines
// filtered out) is tied to its Sending Request, and a WARNING or ERROR line tied to nothing is a
// finding of its own: nothing the traffic server warned about is left out. Memory stays bounded:
// open transactions only, a few evidence samples per origin, entries of at most 64 KiB.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "scan/log_entry.hpp"
#include "scan/log_record.hpp"
#include "verify/fix_catalogue.hpp"

namespace mratls::scan {

struct Evidence {
  std::string decoded;  // "steven.lab/https/cucm.steven.lab/6972 /CSFemusk.cnf.xml"
  std::vector<std::string> lines;
};

struct OriginSummary {
  std::string host;
  int port = 0;  // 0: not known (a WARNING/ERROR line tied to no request)
  std::string protocol;
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;       // 2xx
  std::uint64_t failed = 0;   // 502/504
  std::uint64_t denied = 0;   // 403
  std::uint64_t warned = 0;   // passed with WARNING lines (Action=Continue): what VerifyOriginServer On would refuse
  std::uint64_t lone = 0;     // WARNING/ERROR lines tied to no request
  std::string first_failure;  // time as written
  std::string last_failure;
  verify::Diagnosis diagnosis;        // the most frequent cause, in words
  verify::Facts facts;                // and its facts (a capture of the handshake may add to them)
  std::map<verify::Cause, std::uint64_t> causes;
  std::vector<std::string> notes;
  std::vector<Evidence> evidence;  // up to kEvidencePerOrigin failing transactions
  bool host_is_ip = false;
  std::int64_t first_failure_ms = 0;  // 0: not known
  std::int64_t last_failure_ms = 0;
  std::int64_t last_ok_ms = 0;

  bool troubled() const { return failed + denied + warned + lone > 0; }
};

// One request as the logs tell it, closed by its response: what a replay of the site reads
// (`mratls lab --from`). Only requests whose origin is known: from their MRA segment, or from the
// WARNING/ERROR line and the Sending Request when the Receive Request is not in the log.
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
  std::vector<std::string> certainty;  // what was inferred rather than read ("port from the Sending Request", ...)
};

// Expressway-E answered a client itself, with an error: the request never reached Expressway-C.
struct EdgeAnswer {
  std::string system;
  int status = 0;
  std::string reason;  // "Forbidden"
  std::uint64_t count = 0;
  std::string first_line;
};

struct ScanStats {
  std::uint64_t lines = 0;           // physical lines
  std::uint64_t entries = 0;         // log entries (a wrapped entry or a DEBUG block is one)
  std::uint64_t traffic_lines = 0;   // Expressway-C traffic_server entries read
  std::uint64_t foreign_lines = 0;   // entries of other programs
  std::uint64_t other_modules = 0;   // traffic_server entries of other modules
  std::uint64_t expressway_e = 0;    // Expressway-E's traffic server
  std::uint64_t garbled_lines = 0;
  std::uint64_t separators = 0;      // blank lines, "----", "===…===" headings
  std::uint64_t loose_text = 0;      // text outside any entry (a note's prose)
  std::uint64_t entries_cut = 0;     // entries longer than 64 KiB, read up to there
  std::uint64_t transactions = 0;
  std::uint64_t incomplete_transactions = 0;
  std::uint64_t without_receive = 0;  // requests whose Receive Request is not in the log
  std::uint64_t lone_findings = 0;    // WARNING/ERROR lines tied to no request
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
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;
  // One physical line of `source` (a file or archive member): sources are independent streams.
  void feed(std::string_view line, const std::string& source);
  // The end of one file of `source`: the entry being gathered ends there.
  void end_of_file(const std::string& source);
  // Ends every stream: open transactions with a failing line count as failed, the rest as incomplete.
  void finish();

  std::vector<OriginSummary> origins() const;  // failing first, then by host and port
  // Called for every request whose origin is known as its response is read (or, for one that
  // failed without a response in the log, at the end), in that order.
  void on_transaction(std::function<void(const TransactionRecord&)> observer) { observer_ = std::move(observer); }
  const ScanStats& stats() const { return stats_; }
  // The syslog hosts whose lines are Expressway-E's: set aside.
  const std::set<std::string>& expressway_e_systems() const { return e_systems_; }
  // Its own error answers, by system and status.
  const std::vector<EdgeAnswer>& edge_answers() const { return edge_answers_; }

 private:
  struct Txn {
    std::string id;
    int pid = 0;
    std::int64_t start_ms = 0;
    std::string time_text;
    std::string system;
    // The origin: from the MRA segment of the Receive Request, or adopted from a failing line.
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
    bool known_origin = false;
    bool received = false;  // its Receive Request is in the log
    bool denied = false;
    // Its last Sending Request: where the connection went.
    bool sent = false;
    std::int64_t sent_ms = 0;
    std::string sent_level;
    std::string sent_ip;
    int sent_port = 0;
    std::string sent_method;
    std::string sent_path;
    std::string header_host;  // the DEBUG block's Host header
    bool terminated = false;  // an Action=Terminate or ERROR line
    std::vector<std::string> lines;
    std::vector<std::string> reasons;
    std::vector<std::string> certainty;
  };
  // A WARNING/ERROR line tied to no request, with the lines of the same failed attempt.
  struct LoneFinding {
    std::string system;
    int pid = 0;
    std::int64_t time_ms = 0;
    std::string time_text;
    std::string name;
    std::string server;
    std::vector<std::string> lines;
  };
  // A transaction as its lines name it: the system that wrote them, its process, its Txn-id.
  using TxnKey = std::tuple<std::string, int, std::string>;
  struct Stream {
    std::optional<EntryAssembler> assembler;
    std::map<TxnKey, Txn> open;
    std::optional<LoneFinding> lone;
  };
  // Bounds: open transactions, the lines a transaction keeps, the origins summed up.
  static constexpr std::size_t kMaxOpen = 4096;
  static constexpr std::size_t kLinesPerTxn = 24;
  static constexpr std::size_t kReasonsPerTxn = 16;
  static constexpr std::size_t kMaxOrigins = 4096;

  void on_entry(LogEntry&& entry, Stream& stream);
  void handle(LogRecord record, Stream& stream);
  static Txn opened(const LogRecord& r);
  void on_request(LogRecord& r, Stream& stream);
  void on_failure_line(const LogRecord& r, Stream& stream);
  void close(Txn& txn, int status);
  // A transaction ended without its response (the log cut short, evicted, replaced): what its
  // lines say still counts.
  void abandon(Txn& txn);
  void make_room(Stream& stream, std::int64_t now_ms);
  void tally(const Txn& txn, int status);
  OriginSummary& tally_for(const std::string& system, const std::string& host, int port);
  void flush_lone(Stream& stream);
  void canonical_origins();

  ScanWindow window_;
  std::function<void(const TransactionRecord&)> observer_;
  std::map<std::string, Stream> streams_;
  // Per system, host and port: Expressway-E's systems are left out when they are summed up.
  std::map<std::tuple<std::string, std::string, int>, OriginSummary> tallies_;
  std::set<std::string> e_systems_;
  std::vector<EdgeAnswer> edge_answers_;
  ScanStats stats_;
};

// Adds `note` to `notes` unless it is there: a fact is said once.
void add_once(std::vector<std::string>& notes, const std::string& note);

// Reads every file (and archive member) oldest first, as one stream, so that a transaction
// split across rotated logs is joined up, then finishes the scanner. Names what it skipped.
std::expected<void, std::string> scan_files(const std::vector<std::string>& files, Scanner& scanner,
                                            std::vector<std::string>& skipped);

}  // namespace mratls::scan
