// The log reader's pure pieces on text as the field brings it (issue 36): wraps that lost a
// space or fell inside a value, DEBUG entries with their HTTPMSG block, spaces lost in pasting,
// masked values, separators, excerpts flattened onto one line. Each expected value is read off
// the published lines (tests/fixtures/field/), not computed by the functions under test.
#include <gtest/gtest.h>

#include <vector>

#include "scan/http_block.hpp"
#include "scan/kv_fields.hpp"
#include "scan/log_entry.hpp"
#include "scan/log_record.hpp"
#include "scan/masked.hpp"
#include "scan/thread_line.hpp"
#include "scan/wrapped_text.hpp"

using namespace mratls::scan;
namespace w = mratls::scan::wrapped;

namespace {

std::vector<LogEntry> entries_of(const std::vector<std::string>& lines, EntryCounts* counts = nullptr) {
  std::vector<LogEntry> out;
  EntryAssembler a([&](LogEntry&& e) { out.push_back(std::move(e)); });
  for (const auto& l : lines) a.push(l);
  a.flush();
  if (counts) *counts = a.counts();
  return out;
}

}  // namespace

TEST(WrappedText, ABreakIsASpaceOnlyWhereWhitespaceTouchedIt) {
  EXPECT_EQ(w::join("Detail=\"Access\nallowed\""), "Detail=\"Access\nallowed\"");
  EXPECT_EQ(w::join("Detail=\"Access \nallowed\""), "Detail=\"Access allowed\"");
  EXPECT_EQ(w::join("a\n  b\r\n"), "a b");
  EXPECT_EQ(w::words("Access\nallowed"), "Access allowed");
  EXPECT_EQ(w::words("self-\nsigned"), "self-signed");
  EXPECT_EQ(w::ident("6af9a674-9ebc-\n41ea"), "6af9a674-9ebc-41ea");
}

TEST(WrappedText, ARequestLineIsReadWhereverItWasWrapped) {
  // As the note prints the 6972 Receive Request: the space after GET lost, a wrap inside the file name.
  auto line = w::request_line(
      "GET\nhttp://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg/CSFemusk.c\nnf.xml HTTP/1.1");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->method, "GET");
  EXPECT_EQ(line->target,
            "http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg/CSFemusk.cnf.xml");
  EXPECT_EQ(line->version, "HTTP/1.1");
  auto split_version = w::request_line("GET /x HTTP/1.\n1");
  ASSERT_TRUE(split_version);
  EXPECT_EQ(split_version->version, "HTTP/1.1");
  EXPECT_FALSE(w::request_line("HTTP/1.1 200 "));
  EXPECT_FALSE(w::request_line("GET"));
  EXPECT_EQ(w::status_of("HTTP/1.1 502 connect\nfailed"), 502);
  EXPECT_EQ(w::status_of("HTTP/1.1 20"), 0);
}

TEST(WrappedText, APhraseIsFoundAcrossABreak) {
  const std::string text = "Core server\ncertificate verification failed for (x). Action=Terminate";
  auto at = w::find(text, "Core server certificate verification failed for (");
  ASSERT_TRUE(at);
  EXPECT_EQ(at->begin, 0u);
  EXPECT_EQ(text.substr(at->end, 1), "x");
  // A break inside a word of the text is passed over; a break never starts a match.
  EXPECT_TRUE(w::find("Act\nion=Continue", "Action="));
  EXPECT_TRUE(w::find("certificate\nserver=a(b)", " server="));
}

TEST(Masked, WhatCustomersMaskIsUnknownNotWrong) {
  for (const char* v : {"xxx.xxx.xxx.xxx", "xx.xx.97.131", "fxxxxxxx-86f6-4030-8259-0b768c07723e", "<CONCEALED>", "[REDACTED]",
                        "cucm.xxxxxx.lab"})
    EXPECT_TRUE(is_masked(v)) << v;
  for (const char* v : {"10.48.36.215", "6af9a674-9ebc-41ea-868e-90e7309a758c", "cucm.steven.lab", "exxon.com"})
    EXPECT_FALSE(is_masked(v)) << v;
  EXPECT_TRUE(is_masked_ip("xxx.xxx.xxx.xxx"));
  EXPECT_TRUE(is_masked_ip("xx.xx.97.131"));
  EXPECT_FALSE(is_masked_ip("10.48.36.215"));
  EXPECT_FALSE(is_masked_ip("cucm.xxx.lab.test"));
}

TEST(Masked, AMaskedNameMatchesTheNameItHides) {
  EXPECT_TRUE(same_name("cucm.xxxxxx.lab", "cucm.steven.lab"));
  EXPECT_TRUE(same_name("CUCM.Steven.LAB", "cucm.steven.lab"));
  EXPECT_TRUE(same_name("xxx.xxx.xxx.xxx", "10.48.36.215"));
  EXPECT_TRUE(same_name("cucmxxx.steven.lab", "cucm-pub1.steven.lab"));
  EXPECT_FALSE(same_name("cucm.xxxxxx.lab", "cucm.steven.example.lab"));
  EXPECT_FALSE(same_name("xxx.xxx.xxx.xxx", "cucm-pub.uc.northwind.example")) << "a masked address hides an address";
  EXPECT_FALSE(same_name("imp.xxxxxx.lab", "cucm.steven.lab"));
  EXPECT_FALSE(same_name("cucmxxx.steven.lab", "cucm.steven.lab")) << "a run of x stands for one character or more";
  // Long adversarial labels stay linear.
  EXPECT_FALSE(same_name(std::string(2000, 'x') + "a", std::string(4000, 'b')));
  std::string runs;
  for (int i = 0; i < 60; ++i) runs += "xxxa";
  EXPECT_TRUE(same_name(runs, std::string(240, 'a')));
  EXPECT_FALSE(same_name(runs, std::string(240, 'a') + "b"));
  EXPECT_FALSE(same_name(runs + runs, std::string(480, 'a'))) << "longer than a DNS name: compared as written";
}

TEST(LogEntries, ANoteExcerptIsEntriesAndWhatSeparatesThem) {
  EntryCounts counts;
  auto entries = entries_of(
      {"===Failed connection on 6972===",
       "2022-07-11T18:55:26.016+02:00 vcsc traffic_server[18242]: [ET_NET 0] WARNING: Core server",
       "certificate verification failed for (cucm.steven.lab). Action=Terminate Error=self signed", "----",
       "certificate server=cucm.steven.lab(10.48.36.215) depth=0", "",
       "> 2022-07-11T18:55:26.016+02:00 vcsc traffic_server[18242]: [ET_NET 0] ERROR: SSL connection", "> failed for 'x'"},
      &counts);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].lines, 5u) << "the rule and the blank line inside the entry are passed over, not an end";
  EXPECT_EQ(entries[0].text.find("----"), std::string::npos);
  EXPECT_TRUE(entries[1].text.starts_with("2022-07-11T18:55:26.016+02:00 vcsc")) << "an e-mail's quoting taken off";
  EXPECT_EQ(counts.separators, 3u);
  EXPECT_EQ(counts.loose, 0u);
}

TEST(LogEntries, AnExcerptFlattenedOntoOneLineIsCutWhereEachEntryStarts) {
  // As the stored copy of TAC note 117811 has Expressway-E's two entries.
  auto entries = entries_of(
      {"ExpresswayE traffic_server[15550]: Module=\"network.http.trafficserver\" Level=\"DEBUG\": Detail=\"Sending Response\" "
       "Txn-id=\"2\" Dst-ip=\"10.48.79.80\" Dst-port=\"50314\" HTTPMSG: |HTTP/1.1 403 Forbidden Server: CE_E Content-Length: 0 "
       "ExpresswayE traffic_server[15550]: Event=\"Sending HTTP error response\" Status=\"403\" Reason=\"Forbidden\"",
       "prose after the excerpt"});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_TRUE(entries[1].text.starts_with("ExpresswayE traffic_server[15550]: Event="));
  EXPECT_EQ(entries[1].lines, 2u);
  // The timestamp of an entry is not an entry of its own, nor a quoted value's.
  auto one = entries_of({"2022-07-11T18:55:25.917+02:00 vcsc traffic_server[18242]: Event=\"x 2022-07-11T18:55 y\""});
  EXPECT_EQ(one.size(), 1u);
}

TEST(LogEntries, AnEntryKeepsAtMostItsBound) {
  std::vector<std::string> lines{"2022-07-11T18:55:25.917+02:00 vcsc traffic_server[18242]: Event=\"x\""};
  for (int i = 0; i < 200; ++i) lines.push_back(std::string(1000, 'a'));
  EntryCounts counts;
  auto entries = entries_of(lines, &counts);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(entries[0].cut);
  EXPECT_EQ(entries[0].text.size(), EntryAssembler::kMaxEntryBytes);
  EXPECT_EQ(entries[0].lines, 201u);
  EXPECT_EQ(counts.cut, 1u);
}

TEST(HttpBlock, TheBlockAsTheTacNotePrintsIt) {
  auto b = parse_http_block(
      "\n|GET /CSFmarcoalh.cnf.xml HTTP/1.1\n Host: expc.cisco.com:6972\n Accept: */*\n Cookie:<CONCEALED>\n"
      " Client-ip: xxx.xxx.xxx.xxx\n \n |\n");
  ASSERT_TRUE(b.request);
  EXPECT_EQ(b.start_line, "GET /CSFmarcoalh.cnf.xml HTTP/1.1");
  EXPECT_EQ(b.host, "expc.cisco.com:6972");
  // Wrapped, and flattened onto one line.
  auto wrapped = parse_http_block(" |GET /c3RldmVu/cucm-\nuds/user/x HTTP/1.1\n Host: a:8443\n|");
  EXPECT_EQ(wrapped.start_line, "GET /c3RldmVu/cucm-uds/user/x HTTP/1.1");
  auto flat = parse_http_block(" |HTTP/1.1 403 Forbidden Date: Wed, 21 May 2014 14:31:18 GMT Server: CE_E Content-Length: 0");
  EXPECT_EQ(flat.status, 403);
  EXPECT_EQ(flat.server, "CE_E");
  EXPECT_EQ(parse_http_block(" |GET /x HTTP/1.1\n Host: xxxxxx.xxxxx.com:6972\n|").host, "xxxxxx.xxxxx.com:6972")
      << "a masked Host still matches the name it hides";
}

TEST(ThreadLines, SpacesLostInPastingAndTheNotesProseAfterTheLine) {
  // TAC note 225746, as published: no space after "]:", "]" or "ERROR:", one after the error code.
  auto e = parse_thread_line(
      "[ET_NET 1]ERROR:SSL connection failed for 'expc.cisco.com':error:14094418: SSL routines:ssl3_read_bytes:tlsv1 alert "
      "unknown ca");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->thread, 1);
  EXPECT_EQ(e->level, "ERROR");
  EXPECT_EQ(e->name, "expc.cisco.com");
  EXPECT_EQ(thread_line_text(*e),
            "[ET_NET 1] ERROR: SSL connection failed for 'expc.cisco.com': error:14094418:SSL routines:ssl3_read_bytes:tlsv1 "
            "alert unknown ca");
  // The note's seed: its prose runs on after the last ERROR line.
  auto prose = parse_thread_line(
      "[ET_NET 2] ERROR: SSL connection failed\nfor '10.48.36.215': error:1416F086:SSL routines:tls_process_server_certificate:"
      "certificate\nverify failed\nWhere c3RldmVu translates (base64 -\nhttps://www.base64decode.org/) to steven.lab/https");
  ASSERT_TRUE(prose);
  EXPECT_EQ(prose->text,
            "SSL connection failed for '10.48.36.215': error:1416F086:SSL routines:tls_process_server_certificate:certificate "
            "verify failed");
}

TEST(ThreadLines, AWrappedWarningIsPutBackInTheAppliancesForm) {
  auto core = parse_thread_line(
      "[ET_NET 0] WARNING: Core server\ncertificate verification failed for (cucm.steven.lab). Action=Terminate Error=self "
      "signed\ncertificate server=cucm.steven.lab(10.48.36.215) depth=0");
  ASSERT_TRUE(core);
  EXPECT_EQ(core->text,
            "Core server certificate verification failed for (cucm.steven.lab). Action=Terminate Error=self signed certificate "
            "server=cucm.steven.lab(10.48.36.215) depth=0");
  EXPECT_TRUE(core->terminate);
  EXPECT_EQ(core->server, "cucm.steven.lab");
  EXPECT_EQ(core->ip, "10.48.36.215");
  auto sni = parse_thread_line("[ET_NET 2] WARNING: SNI (xxx.xxx.xxx.xxx)\nnot in certificate. Action=Continue server=xxx.xxx.xxx.xxx(xxx.xxx.xxx.xxx)");
  ASSERT_TRUE(sni);
  EXPECT_EQ(sni->text, "SNI (xxx.xxx.xxx.xxx) not in certificate. Action=Continue server=xxx.xxx.xxx.xxx(xxx.xxx.xxx.xxx)");
  EXPECT_TRUE(sni->proceed);
  EXPECT_EQ(sni->ip, "") << "a masked address is not known";
  auto other = parse_thread_line("[ET_NET 3] WARNING: Connection leak from unknown origin");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->text, "Connection leak from unknown origin");
  EXPECT_FALSE(parse_thread_line("[ET_NET 0] warning lower case"));
}

TEST(LogRecords, TheNotesWrappedReceiveRequestIsOneRequest) {
  auto r = parse_entry(
      "2022-07-11T18:55:25.910+02:00 vcsc traffic_server[18242]: UTCTime=\"2022-07-11 16:55:25,910\"\n"
      "Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Receive Request\" Txn-id=\"189\"\n"
      "TrackingID=\"6af9a674-9ebc-41ea-868e-90e7309a758c\" Src-ip=\"127.0.0.1\" Src-port=\"35764\" Last-via-\n"
      "addr=\"\" Msg=\"GET\n"
      "http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvODQ0Mw/cucm-\n"
      "uds/user/emusk/devices HTTP/1.1\"");
  EXPECT_EQ(r.kind, RecordKind::Http);
  EXPECT_EQ(r.detail, "Receive Request");
  EXPECT_EQ(r.txn_id, "189");
  EXPECT_EQ(r.port, 35764);
  EXPECT_EQ(r.message,
            "GET http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvODQ0Mw/cucm-uds/user/emusk/devices "
            "HTTP/1.1");
  EXPECT_NE(r.line.find(" Last-via-addr=\"\" Msg=\"GET http://"), std::string::npos) << r.line;
}

TEST(LogRecords, AMisprintedKeyAndADebugBlockStillGiveTheRequest) {
  // The note prints "Msq=" for one Receive Request.
  auto misprinted = parse_entry(
      "2022-07-11T18:55:26.000+02:00 vcsc traffic_server[18242]: UTCTime=\"2022-07-11 16:55:26,000\" "
      "Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Receive Request\" Txn-id=\"191\" Msq=\"GET /c3Rl/x HTTP/1.1\"");
  EXPECT_EQ(misprinted.message, "GET /c3Rl/x HTTP/1.1");
  auto debug = parse_entry(
      "2026-01-29T14:01:16.974-05:00 exp-c traffic_server[2030]: UTCTime=\"2026-01-29 19:01:16,974\" "
      "Module=\"network.http.trafficserver\" Level=\"DEBUG\": Detail=\"Sending Request\" Txn-id=\"3028\" "
      "TrackingID=\"fxxxxxxx-86f6-4030-8259-0b768c07723e\" Dst-ip=\"xxx.xxx.xxx.xxx\" Dst-port=\"6972\" \nHTTPMSG:\n"
      "|GET /CSFmarcoalh.cnf.xml HTTP/1.1\n Host: expc.cisco.com:6972\n Cookie:<CONCEALED>\n \n |");
  EXPECT_EQ(debug.kind, RecordKind::Http);
  EXPECT_EQ(debug.level, "DEBUG");
  EXPECT_EQ(debug.message, "GET /CSFmarcoalh.cnf.xml HTTP/1.1");
  EXPECT_EQ(debug.header_host, "expc.cisco.com:6972");
  EXPECT_EQ(debug.ip, "") << "masked";
  EXPECT_EQ(debug.port, 6972);
  EXPECT_EQ(debug.time_ms, 1769713276974);
}

TEST(LogRecords, WhatIsSetAsideIsToldApart) {
  EXPECT_EQ(parse_entry("ExpresswayE traffic_server[15550]: Event=\"Sending HTTP error response\" Status=\"403\" "
                        "Reason=\"Forbidden\"")
                .kind,
            RecordKind::ExpresswayE);
  EXPECT_EQ(parse_entry("2022-07-11T18:55:25.910+02:00 vcsc traffic_server[1]: UTCTime=\"x\" Module=\"developer.trafficserver.ssl\" "
                        "Level=\"DEBUG\": Detail=\"y\"")
                .kind,
            RecordKind::OtherModule);
  EXPECT_EQ(parse_entry("2014-09-25T13:46:20-04:00 RTP-TBTP-EXPRWY-C edgeconfigprovisioning UTCTime=\"2014-09-25 17:46:20,92\"").kind,
            RecordKind::Foreign);
  EXPECT_EQ(parse_entry("2022-07-11T18:55:2 vcsc traffic_server[18242]: UTCTime=\"2022-07-1").kind, RecordKind::Garbled);
  EXPECT_EQ(parse_entry("2022-07-11T18:55:25.910+02:00 vcsc traffic_server[18242]: [ET_NET 0] NOTE: cache enabled").kind,
            RecordKind::OtherTraffic);
}
