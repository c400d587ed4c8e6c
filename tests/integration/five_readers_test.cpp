// One catalogue, one answer (issue 21): for every scenario of the lab, the field mix and the
// client-certificate clusters, under every setting of the lab's matrix, five readers name the
// same cause and the same fix for every origin that fails:
//   - the lab itself (its matrix, as `mratls lab` prints it);
//   - `mratls login` through the admin listener;
//   - `mratls check` against the lab's nodes with its trust store and client certificate;
//   - `mratls scan` on the lab's own log with a live libpcap capture of the same traffic;
//   - the page's origin table (GET /api/state).
// A scenario joins the property by being added to the catalogue. The Release build runs the
// whole matrix; the sanitizer builds a sample of it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "control/admin_client.hpp"
#include "control/admin_listener.hpp"
#include "config/save.hpp"
#include "lab/live_lab.hpp"
#include "lab/runner.hpp"
#include "loopback_capture.hpp"
#include "scan/outcome_text.hpp"
#include "support.hpp"
#include "verify/fix_catalogue.hpp"

using namespace mratls;
using namespace mratls::test;
namespace fs = std::filesystem;

namespace {

struct Answer {
  std::string cause;
  std::string fix;
  std::vector<std::string> fixes;  // one per finding, in the order to apply them
  bool operator==(const Answer&) const = default;
};

std::vector<std::string> fixes_of(const nlohmann::json& j) {
  return j.contains("fixes") && j["fixes"].is_array() ? j["fixes"].get<std::vector<std::string>>() : std::vector<std::string>{};
}
using Answers = std::map<std::string, Answer>;  // "host:port" -> what the reader says

void PrintTo(const Answer& a, std::ostream* os) { *os << a.cause << ": " << a.fix; }

std::ostream& operator<<(std::ostream& os, const Answers& a) {
  for (const auto& [origin, answer] : a) {
    os << "\n    " << origin << "  " << answer.cause << ": " << answer.fix;
    for (const auto& f : answer.fixes) os << "\n      - " << f;
  }
  return os;
}

// "https://host:port" -> "host:port"
std::string origin_key(const std::string& url) { return url.substr(url.find("://") + 3); }

nlohmann::json json_of(const Process& p) {
  const auto start = p.output.find('{');
  return start == std::string::npos ? nlohmann::json{} : nlohmann::json::parse(p.output.substr(start), nullptr, false);
}

// Two steps at one origin must not disagree either: the map keeps one answer per origin.
void add_steps(Answers& out, const nlohmann::json& steps, const std::string& reader) {
  for (const auto& s : steps) {
    if (s["cause"] == "none") continue;
    const Answer answer{s["cause"], s["fix"], fixes_of(s)};
    const auto [at, added] = out.emplace(origin_key(s["origin"]), answer);
    EXPECT_TRUE(added || at->second == answer) << reader << ": two answers for " << at->first;
  }
}

// The cipher string a setting puts in force, as the lab's proxy gets it.
std::string ciphers_of(const lab::Setting& setting) {
  config::Config c;
  lab::apply(setting, c);
  return c.expressway.ciphers;
}

// A site's own cipher strings beyond the lab's matrix, each with the preference its terms give
// (written from what the terms mean, not asked of OpenSSL): ":+ECDSA" moves every ECDSA suite
// behind the RSA ones, ":!ECDSA" drops them, ":!aRSA" drops every RSA suite.
struct SiteString {
  std::string tail;
  verify::CertificatePreference prefers;
};
const std::vector<SiteString>& site_strings() {
  static const std::vector<SiteString> strings = {{":+ECDSA", verify::CertificatePreference::Rsa},
                                                  {":!ECDSA", verify::CertificatePreference::Rsa},
                                                  {":!aRSA", verify::CertificatePreference::Ecdsa}};
  return strings;
}

// Dates and key ids vary from run to run: compared as <date> and <key id>.
Answer masked(Answer a) {
  static const std::regex date(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"), key_id(R"(key id [0-9A-F:]+)");
  std::vector<std::string*> texts{&a.cause, &a.fix};
  for (auto& f : a.fixes) texts.push_back(&f);
  for (auto* text : texts) *text = std::regex_replace(std::regex_replace(*text, date, "<date>"), key_id, "key id <key id>");
  return a;
}

// What the nodes of the two-finding scenarios answer, written from their definitions
// (lab/scenarios.cpp) and not asked of the renderer: a fix for each finding, in the order the
// appliance meets them, each written knowing the other. CUCM presents the same certificate on
// 8443 and 6972.
Answers two_finding_answers(const lab::Setting& setting, const lab::LabPlacement& placement) {
  Answers out;
  // Their nodes hold an RSA certificate only and speak TLS 1.2: a string without RSA suites leaves
  // them nothing to answer with, before X14.2 and under Off too.
  const bool no_rsa_suites = setting.ciphers.ends_with(":!aRSA");
  if (!no_rsa_suites && (setting.version < config::Version{14, 2, 0} || setting.verify == config::VerifyOriginServer::Off))
    return out;
  for (const std::string id : {"expired-wrong-host", "self-signed-expired", "unknown-ca-wrong-host"}) {
    const std::string n = "cucm." + placement.domain_of(id), imp = "imp." + placement.domain_of(id);
    Answer a;
    if (no_rsa_suites) {
      a = {"tls-failure", "", {"Put suites with RSA authentication back into Expressway-C's cipher string (take out the term "
                               "that removes them, such as !aRSA), or give " + n + " a CA-signed ECDSA certificate (on CUCM: "
                               "tomcat-ECDSA)."}};
    } else if (id == "expired-wrong-host") {
      // Renewing keeps the wrong name: one new certificate, with the name and a validity.
      a.cause = "expired";
      a.fixes = {"Reissue '" + imp + "' of " + n + " with " + n +
                 " as a SAN, with a validity that covers today (the one it presents expired <date>)."};
    } else if (id == "self-signed-expired") {
      // Uploading the expired certificate heals nothing: a new one, then the upload.
      a.cause = "self-signed";
      a.fixes = {"Regenerate the self-signed certificate '" + n + "' of " + n +
                 ", with a validity that covers today (the one it presents expired <date>), then upload the new one to the "
                 "Expressway-C trust store, or have one issued by a CA the trust store holds."};
    } else if (id == "unknown-ca-wrong-host") {
      // Trusting the root leaves the name; the name alone leaves an untrusted chain.
      a.cause = "untrusted-ca";
      a.fixes = {"Upload 'Unknown Root CA' (key id <key id>) (the root of this chain; if it is itself an intermediate, its root "
                 "too) to the Expressway-C trust store (Maintenance > Security > Trusted CA certificate).",
                 "Reissue the certificate of " + n + " with " + n + " as a SAN (it presents '" + imp + "', for " + imp +
                     "), or, if " + n + " is another name of the host the certificate names, make the cluster advertise that name."};
    }
    a.fix = a.fixes.size() == 1 ? a.fixes[0] : "(1) " + a.fixes[0] + " (2) " + a.fixes[1];
    for (const int port : {8443, 6972}) out[n + ":" + std::to_string(port)] = a;
  }
  return out;
}

std::vector<std::string> words(const std::string& command) {
  std::istringstream in(command);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  out.erase(out.begin());  // "mratls"
  return out;
}

}  // namespace

TEST(FiveReaders, OneCatalogueOneAnswer) {
  const fs::path scratch = fs::temp_directory_path() / ("mratls-five-readers-" + std::to_string(getpid()));
  fs::remove_all(scratch);
  lab::LabDir dir(scratch.string());
  auto started = lab::start_lab();
  ASSERT_TRUE(started) << started.error();
  const auto& clusters = started->clusters;
  const auto block = started->placement.block;
  // Under TLS 1.3 a capture does not show the certificate: scan has the lines alone there, which
  // give the cause but cannot name the certificate in the fix.
  std::set<std::string> hidden_from_capture;
  for (const auto& c : clusters)
    for (const auto& l : c->listeners())
      if (c->cluster().nodes[l.node].tls13) hidden_from_capture.insert(c->cluster().nodes[l.node].advertised + ":" + std::to_string(l.port));

  // check answers for X14.2 whatever the proxy's settings, with the lab's own configuration (its
  // trust store, hosts, servers and Expressway-C's certificate as the client certificate): once
  // per cipher string, whose probes fill two columns (the string and one preferring the other
  // certificate).
  auto config = lab::lab_config(dir);
  for (const auto& c : clusters) c->configure_proxy(config);
  dir.write_lab_files(clusters, config);
  std::vector<nlohmann::json> check_probes;  // every probe of every check run
  auto run_check = [&](const std::string& ciphers) {
    auto under = config;
    under.expressway.ciphers = ciphers;
    const auto file = scratch / ("check-" + std::to_string(check_probes.size()) + ".yaml");
    std::ofstream(file) << config::to_yaml(under);
    auto check = spawn_mratls({"check", "--config", file.string(), "--json"});
    ASSERT_EQ(check.wait_exit(std::chrono::seconds(300)), 1) << check.output;
    const auto checked = json_of(check);
    ASSERT_TRUE(checked.is_object() && checked["probes"].is_array()) << check.output;
    for (const auto& p : checked["probes"]) check_probes.push_back(p);
  };
  auto checked_under = [&](const std::string& ciphers) {
    return std::ranges::any_of(check_probes, [&](const nlohmann::json& p) { return p["ciphers"] == ciphers; });
  };

  auto settings = lab::settings_matrix("", "");
  if (sanitized()) settings = {lab::single_setting("on", "ecdsa"), lab::single_setting("log-only", "rsa")};
  for (const auto& site : site_strings()) {
    if (sanitized() && site.tail != ":!aRSA") continue;
    auto under = lab::with_ciphers(lab::single_setting("on", "ecdsa"), std::string(config::kDefaultCiphers) + site.tail);
    ASSERT_TRUE(under) << under.error();
    EXPECT_EQ(under->preference, site.prefers) << site.tail;
    settings.push_back(*under);
  }
  int index = 0;
  for (const auto& setting : settings) {
    SCOPED_TRACE(setting.label);
    const std::string in_force = ciphers_of(setting);
    if (!checked_under(in_force)) run_check(in_force);
    ASSERT_TRUE(checked_under(in_force)) << in_force;
    const auto log_file = scratch / ("proxy-" + std::to_string(index) + ".log");
    const auto pcap_file = scratch / ("lab-" + std::to_string(index++) + ".pcap");
    auto capture = LoopbackCapture::start(pcap_file.string(), "net " + block.cidr());
    ASSERT_TRUE(capture) << capture.error();
    auto kept = lab::KeptLab::start(dir, clusters, setting, 0, log_file.string());
    config::Admin admin_settings;
    admin_settings.port = 0;
    auto admin = control::AdminListener::open(kept.server(), admin_settings,
                                              [&](control::AdminListener& a) { lab::attach_lab(a, kept, clusters); });
    ASSERT_TRUE(admin) << admin.error();

    Answers from_lab, from_login, from_check, from_scan, from_page;
    // 1. The lab.
    const auto matrix = lab::run_matrix(dir, clusters, {setting});
    std::set<std::string> exercised;  // what a login reaches; check probes every node and port
    std::map<std::string, std::vector<std::string>> lines_of;  // the lines of each failing origin
    for (const auto& c : clusters) {
      const auto steps = lab::login_json(matrix.cells.at(c->cluster().id).at(setting.label))["steps"];
      add_steps(from_lab, steps, "lab");
      for (const auto& s : steps) {
        exercised.insert(origin_key(s["origin"]));
        // The lines are a connection's: a request on a pooled connection carries its findings, not its lines.
        if (s["cause"] != "none" && !s["reasons"].empty() && !lines_of.contains(origin_key(s["origin"])))
          lines_of[origin_key(s["origin"])] = s["reasons"].get<std::vector<std::string>>();
      }
    }
    for (const auto& [origin, answer] : two_finding_answers(setting, started->placement)) {
      ASSERT_TRUE(from_lab.contains(origin)) << origin << from_lab;
      EXPECT_EQ(masked(from_lab.at(origin)), answer) << origin;
    }
    // 2. login through the admin listener, as the lab prints it.
    for (const auto& c : clusters) {
      auto args = words(lab::login_command(*c, kept.server().port(), (*admin)->port()));
      args.push_back("--json");
      auto login = spawn_mratls(args);
      const int exit = login.wait_exit(std::chrono::seconds(60));
      ASSERT_TRUE(exit == 0 || exit == 1) << c->cluster().id << ": exit " << exit << "\n" << login.output;
      const auto answer = json_of(login);
      ASSERT_TRUE(answer.is_object()) << c->cluster().id << ": no JSON from login\n" << login.output;
      add_steps(from_login, answer["steps"], "login --admin");
    }
    // 5. The page's origin table, after both logins went through this proxy.
    auto state = control::admin_call({"127.0.0.1", (*admin)->port(), ""}, "GET", "/api/state");
    ASSERT_TRUE(state) << state.error();
    for (const auto& o : state->body["origins"])
      if (!o["cause"].get<std::string>().empty())
        from_page[o["host"].get<std::string>() + ":" + std::to_string(o["port"].get<int>())] = {o["cause"], o["fix"], fixes_of(o)};
    admin->reset();
    kept.server().stop();
    kept.log()->flush();
    const auto capture_error = (*capture)->stop();
    ASSERT_EQ(capture_error, "");
    // 4. scan on the proxy's log and the capture of its traffic.
    auto scan = spawn_mratls({"scan", "--json", log_file.string(), pcap_file.string(), "--trust", dir.trust_file()});
    const int scan_exit = scan.wait_exit(std::chrono::seconds(120));
    ASSERT_GE(scan_exit, 0) << "scan did not finish: " << scan.output.size() << " bytes of output";
    const auto scanned = json_of(scan);
    ASSERT_TRUE(scanned.is_object()) << "no JSON from scan (exit " << scan_exit << ")\n" << scan.output;
    // An origin that passed with Action=Continue lines is a finding in every reader: what On
    // would refuse, with the same cause and fix.
    std::set<std::string> warned_only;
    for (const auto& o : scanned["origins"]) {
      if (o["signature"] == "none") continue;
      if (o["failed"] == 0 && o["denied"] == 0 && o["lone_findings"] == 0 && o["warned"] > 0) warned_only.insert(o["origin"]);
      from_scan[o["origin"]] = {o["signature"], o["fix"], fixes_of(o)};
    }
    const bool log_only = setting.verify == config::VerifyOriginServer::LogOnly && setting.version >= config::Version{14, 2, 0};
    EXPECT_EQ(warned_only.empty(), !log_only) << "scan's origins that passed only because of log-only";
    // Where the capture hides the certificate, the fix the lines give, fitted to the TLS 1.3 and
    // the cipher preference that the capture shows in clear.
    Answers scan_expected = from_lab;
    for (auto& [origin, answer] : scan_expected)
      if (hidden_from_capture.contains(origin)) {
        const auto outcome = scan::outcome_of(lines_of[origin]);
        ASSERT_TRUE(outcome) << origin;
        verify::Facts facts{{*outcome}, setting.preference, true, verify::Source::Capture};
        const auto diagnosis = verify::diagnose(facts);
        answer.fix = diagnosis.fix;
        answer.fixes = diagnosis.fixes;
      }
    // 3. check, for the preference in force; its verdict is X14.2's with VerifyOriginServer On.
    // Under Off or before X14.2 only what Off does not cure fails.
    const bool x142_fails = setting.version >= config::Version{14, 2, 0} && setting.verify == config::VerifyOriginServer::On;
    for (const auto& p : check_probes) {
      if (p["ciphers"] != in_force) continue;
      if (p["cause"] == "none" || p["cause"].is_null()) continue;
      const auto cause = p["cause"].get<std::string>();
      const bool cured_by_off = cause != "client-certificate-rejected" && cause != "tls-failure" && cause != "connect-failure";
      // Under log-only every reader gives what On would refuse, check too.
      if (cured_by_off && !x142_fails && !log_only) continue;
      const auto origin = p["node"].get<std::string>() + ":" + std::to_string(p["port"].get<int>());
      if (exercised.contains(origin)) from_check[origin] = {cause, p["fix"], fixes_of(p)};
    }

    EXPECT_FALSE(from_lab.empty());
    EXPECT_EQ(from_login, from_lab) << "login --admin:" << from_login << "\n  lab:" << from_lab;
    EXPECT_EQ(from_page, from_lab) << "page:" << from_page << "\n  lab:" << from_lab;
    EXPECT_EQ(from_scan, scan_expected) << "scan:" << from_scan << "\n  lab:" << from_lab << "\nscan exit " << scan_exit << ", " << scan.output.size() << " bytes, ending "
                                   << scan.output.substr(scan.output.size() > 600 ? scan.output.size() - 600 : 0);
    EXPECT_EQ(from_check, from_lab) << "check:" << from_check << "\n  lab:" << from_lab;
  }
  fs::remove_all(scratch);
}
