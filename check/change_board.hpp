// `check --report FILE.html|.md`: the check as a change board reads it. A plain value built from
// the judged report (the site, the version path, the cipher strings, a matrix of node × port ×
// setting, each failure with its certificate and fix, the fixes in the order to apply them, the
// workaround and how to revert it), then written as one self-contained HTML page or Markdown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mratls::check {

struct Report;

struct BoardCell {
  enum class State { Pass, Fail, Unknown, NotApplicable };
  State state = State::NotApplicable;
  std::string note;  // the reason, for a cell that is not a pass
};
const char* to_string(BoardCell::State s);  // "pass" | "FAIL" | "unknown" | "n/a"

struct BoardRow {
  std::string node;
  std::string address;
  std::uint16_t port = 0;
  std::vector<BoardCell> cells;  // one per ChangeBoard::columns
};

struct BoardFailure {
  std::string where;    // node:port
  std::string setting;  // the column it fails under
  std::string reason;
  std::string subject, issuer, sha256;  // the certificate the node presented, when it presented one
  std::string fix;
};

struct BoardFix {
  int step = 0;       // the order to apply them in
  std::string place;  // where in which UI
  std::string fix;
  std::vector<std::string> affected;
};

struct ChangeBoard {
  std::string site;
  std::string version_path;  // "X12.7.0 to X14.2"
  std::string rule;          // how the cipher string after was decided
  std::string ciphers_before;
  std::string ciphers_after;
  std::string at;  // the date of the change the certificates are judged at, or ""
  std::vector<std::string> columns;
  std::vector<BoardRow> rows;
  std::vector<BoardFailure> failures;  // under the setting the verdict is for
  std::vector<BoardFailure> risks;     // passes now, fails if the cipher string changes
  std::vector<BoardFix> fixes;
  std::vector<std::string> warnings;
  std::vector<std::string> notes;
  bool workaround = false;  // VerifyOriginServer Off would let the failures through
  std::size_t failing = 0;
  std::string tool_version;
  std::string checked_at;  // when the probes ran, ISO 8601 UTC
};

struct BoardContext {
  std::string site;
  std::string ciphers;  // the string probed, when there is no upgrade path to say it
  std::string tool_version;
  std::string checked_at;
};

ChangeBoard change_board(const Report& report, const BoardContext& context);
std::string board_html(const ChangeBoard& board);
std::string board_markdown(const ChangeBoard& board);

}  // namespace mratls::check
