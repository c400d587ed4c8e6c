#include <algorithm>
#include <sstream>

#include "check/change_board.hpp"

namespace mratls::check {
namespace {

constexpr const char* kRevert = "xConfiguration EdgeConfigServer VerifyOriginServer: On";

std::string html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Text from the network (names, subjects, reasons) in Markdown: what would turn into emphasis,
// code, a link, raw HTML or a table cell is escaped, and a line break would end a list item or a
// table row. (">" and "#" matter only at a line's start, where such text never is.)
std::string md(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\`*_[]<|").find(c) != std::string_view::npos) out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}
std::string md_cell(std::string_view s) { return md(s); }

// Inside a code span nothing is markup, but a backtick would end it.
std::string md_code(std::string_view s) {
  std::string out(s);
  std::ranges::replace(out, '`', '\'');
  return "`" + out + "`";
}

const char* css_class(BoardCell::State s) {
  switch (s) {
    case BoardCell::State::Pass: return "pass";
    case BoardCell::State::Fail: return "fail";
    case BoardCell::State::Unknown: return "unknown";
    case BoardCell::State::NotApplicable: return "na";
  }
  return "na";
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string verdict_text(const ChangeBoard& b) {
  if (b.failing == 0) return "Every node and port passes X14.2's origin verification (" + b.version_path + ").";
  return std::to_string(b.failing) + (b.failing == 1 ? " node port would fail" : " node ports would fail") +
         " X14.2's origin verification (" + b.version_path + "): apply the fixes below before the upgrade.";
}

constexpr const char* kStyle = R"(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2733; margin: 0; }
header { background: #0b3a5b; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
main { padding: 8px 28px 28px; max-width: 1400px; }
h2 { font-size: 17px; border-bottom: 1px solid #c9d3dd; padding-bottom: 4px; margin-top: 28px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; }
dt { font-weight: 600; }
dd { margin: 0; }
code { background: #eef2f6; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
table { border-collapse: collapse; }
th, td { border: 1px solid #c9d3dd; padding: 5px 9px; text-align: left; vertical-align: top; }
thead th { background: #eef2f6; }
td.pass { background: #d9f2dd; color: #14532d; }
td.fail { background: #f9d6d5; color: #7f1d1d; font-weight: 700; }
td.unknown { background: #fdecc8; color: #713f12; }
td.na { background: #f1f3f5; color: #6b7280; }
.verdict { font-weight: 600; padding: 8px 12px; border-radius: 4px; display: inline-block; }
.verdict.fail { background: #f9d6d5; }
.verdict.pass { background: #d9f2dd; }
article { border-left: 4px solid #b91c1c; padding: 2px 14px; margin: 12px 0; }
article.risk { border-color: #d97706; }
.fix { font-weight: 600; }
footer { color: #6b7280; padding: 12px 28px; border-top: 1px solid #c9d3dd; }
)";

void html_failures(std::ostringstream& os, const std::vector<BoardFailure>& failures, const char* kind) {
  for (const auto& f : failures) {
    os << "<article class=\"" << kind << "\"><h3>" << html(f.where) << " — " << html(f.setting) << "</h3>\n<p>" << html(f.reason)
       << "</p>\n";
    if (!f.sha256.empty())
      os << "<table class=\"cert\"><tr><th>Subject</th><td>" << html(f.subject) << "</td></tr><tr><th>Issuer</th><td>"
         << html(f.issuer) << "</td></tr><tr><th>SHA-256</th><td><code>" << html(f.sha256) << "</code></td></tr></table>\n";
    os << "<p class=\"fix\">Fix: " << html(f.fix) << "</p></article>\n";
  }
}

}  // namespace

std::string board_html(const ChangeBoard& b) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>MRA before X14.2: " << html(b.site) << ", "
     << html(b.version_path) << "</title>\n<style>" << kStyle << "</style></head>\n<body>\n<header><h1>MRA origin verification: "
     << html(b.version_path) << "</h1><div>" << html(b.site) << "</div></header>\n<main>\n";
  os << "<section id=\"summary\"><dl>\n<dt>Site</dt><dd>" << html(b.site) << "</dd>\n<dt>Version path</dt><dd>" << html(b.version_path)
     << "</dd>\n<dt>Cipher string</dt><dd>" << html(b.rule) << "</dd>\n<dt>Before</dt><dd><code>" << html(b.ciphers_before)
     << "</code></dd>\n<dt>After</dt><dd><code>" << html(b.ciphers_after) << "</code></dd>\n";
  if (!b.at.empty()) os << "<dt>Certificates judged at</dt><dd>" << html(b.at) << ", the date of the change</dd>\n";
  os << "<dt>Checked</dt><dd>" << html(b.checked_at) << " with mratls " << html(b.tool_version) << "</dd>\n</dl>\n<p class=\"verdict "
     << (b.failing ? "fail" : "pass") << "\">" << html(verdict_text(b)) << "</p></section>\n";

  os << "<section id=\"matrix\"><h2>Node × port × setting</h2>\n<table><thead><tr><th>node</th><th>address</th><th>port</th>";
  for (const auto& c : b.columns) os << "<th>" << html(c) << "</th>";
  os << "</tr></thead>\n<tbody>\n";
  for (const auto& r : b.rows) {
    os << "<tr data-node=\"" << html(r.node) << "\" data-port=\"" << r.port << "\"><td>" << html(r.node) << "</td><td>" << html(r.address)
       << "</td><td>" << r.port << "</td>";
    for (std::size_t i = 0; i < r.cells.size(); ++i)
      os << "<td class=\"" << css_class(r.cells[i].state) << "\" data-column=\"" << html(b.columns[i]) << "\" title=\""
         << html(r.cells[i].note) << "\">" << to_string(r.cells[i].state) << "</td>";
    os << "</tr>\n";
  }
  os << "</tbody></table>\n<p>Hover a cell for its reason. A cipher-string alternative changes which certificate a "
        "dual RSA/ECDSA node presents under TLS 1.2 only.</p></section>\n";

  if (!b.failures.empty()) {
    os << "<section id=\"failures\"><h2>Failures</h2>\n";
    html_failures(os, b.failures, "failure");
    os << "</section>\n";
  }
  if (!b.fixes.empty()) {
    os << "<section id=\"fixes\"><h2>The fixes, in the order to apply them</h2>\n<ol>\n";
    for (const auto& f : b.fixes)
      os << "<li><strong>" << html(f.place) << "</strong>: " << html(f.fix) << "<br><small>affects: " << html(joined(f.affected))
         << "</small></li>\n";
    os << "</ol><p>Certificates on the nodes first (a reissued certificate may have another issuer), then the names the "
          "cluster advertises, then the Expressway-C trust store with what the nodes present by then.</p></section>\n";
  }
  if (!b.risks.empty()) {
    os << "<section id=\"risks\"><h2>If the cipher string changes later</h2>\n";
    html_failures(os, b.risks, "risk");
    os << "</section>\n";
  }
  if (!b.warnings.empty()) {
    os << "<section id=\"warnings\"><h2>At the date of the change</h2><ul>\n";
    for (const auto& w : b.warnings) os << "<li>" << html(w) << "</li>\n";
    os << "</ul></section>\n";
  }
  if (b.workaround)
    os << "<section id=\"workaround\"><h2>Workaround, not a fix</h2>\n<p>Until the fixes are in, "
          "<code>xConfiguration EdgeConfigServer VerifyOriginServer: Off</code> lets the verification failures above through, "
          "for every node: it gives up what X14.2 adds. Revert it once the fixes are in: <code>"
       << kRevert << "</code>.</p></section>\n";
  if (!b.notes.empty()) {
    os << "<section id=\"notes\"><h2>Notes</h2><ul>\n";
    for (const auto& n : b.notes) os << "<li>" << html(n) << "</li>\n";
    os << "</ul></section>\n";
  }
  os << "</main>\n<footer>mratls " << html(b.tool_version) << " · checks ran at " << html(b.checked_at) << "</footer>\n</body></html>\n";
  return os.str();
}

std::string board_markdown(const ChangeBoard& b) {
  std::ostringstream os;
  os << "# MRA origin verification: " << md(b.version_path) << "\n\n"
     << "- **Site:** " << md(b.site) << "\n- **Version path:** " << md(b.version_path) << "\n- **Cipher string:** " << md(b.rule)
     << "\n- **Before:** " << md_code(b.ciphers_before) << "\n- **After:** " << md_code(b.ciphers_after) << "\n";
  if (!b.at.empty()) os << "- **Certificates judged at:** " << md(b.at) << ", the date of the change\n";
  os << "- **Checked:** " << md(b.checked_at) << " with mratls " << md(b.tool_version) << "\n\n**" << md(verdict_text(b)) << "**\n\n";
  os << "## Node × port × setting\n\n| node | address | port |";
  for (const auto& c : b.columns) os << " " << md_cell(c) << " |";
  os << "\n|---|---|---|";
  for (std::size_t i = 0; i < b.columns.size(); ++i) os << "---|";
  os << "\n";
  for (const auto& r : b.rows) {
    os << "| " << md_cell(r.node) << " | " << md_cell(r.address) << " | " << r.port << " |";
    for (const auto& c : r.cells)
      os << " " << (c.state == BoardCell::State::Fail ? "**FAIL**" : to_string(c.state)) << " |";
    os << "\n";
  }
  auto failures = [&](const std::vector<BoardFailure>& list) {
    for (const auto& f : list) {
      os << "\n### " << md(f.where) << " — " << md(f.setting) << "\n\n" << md(f.reason) << "\n\n";
      if (!f.sha256.empty())
        os << "- Subject: " << md(f.subject) << "\n- Issuer: " << md(f.issuer) << "\n- SHA-256: " << md_code(f.sha256) << "\n\n";
      os << "**Fix:** " << md(f.fix) << "\n";
    }
  };
  if (!b.failures.empty()) {
    os << "\n## Failures\n";
    failures(b.failures);
  }
  if (!b.fixes.empty()) {
    os << "\n## The fixes, in the order to apply them\n\n";
    for (const auto& f : b.fixes)
      os << f.step << ". **" << f.place << "**: " << md(f.fix) << " (affects: " << md(joined(f.affected)) << ")\n";
  }
  if (!b.risks.empty()) {
    os << "\n## If the cipher string changes later\n";
    failures(b.risks);
  }
  if (!b.warnings.empty()) {
    os << "\n## At the date of the change\n\n";
    for (const auto& w : b.warnings) os << "- " << md(w) << "\n";
  }
  if (b.workaround)
    os << "\n## Workaround, not a fix\n\nUntil the fixes are in, `xConfiguration EdgeConfigServer VerifyOriginServer: Off` lets "
          "the verification failures above through, for every node. Revert it once the fixes are in: `"
       << kRevert << "`.\n";
  if (!b.notes.empty()) {
    os << "\n## Notes\n\n";
    for (const auto& n : b.notes) os << "- " << md(n) << "\n";
  }
  return os.str();
}

}  // namespace mratls::check
