// The admin API's pure parts: the appliance's command as typed, the emulator's settings, the
// trust list's rules.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <openssl/evp.h>

#include "control/admin_api.hpp"
#include "control/admin_changes.hpp"
#include "control/admin_page.hpp"
#include "control/metrics_text.hpp"
#include "control/settings.hpp"
#include "control/trust_list.hpp"
#include "control/xconfiguration.hpp"
#include "lab/pki.hpp"
#include "proxy/runtime_manager.hpp"
#include "verify/certificate_summary.hpp"
#include "verify/cipher_preference.hpp"

using namespace mratls;
using config::VerifyOriginServer;

namespace {
std::optional<VerifyOriginServer> set_value(std::string_view command) {
  auto parsed = control::parse_xconfiguration(command);
  if (!parsed || !std::holds_alternative<control::SetVerifyOriginServer>(*parsed)) return std::nullopt;
  return std::get<control::SetVerifyOriginServer>(*parsed).value;
}
lab::Issued self_signed(const std::string& cn, const std::string& san) {
  lab::CertSpec spec;
  spec.common_name = cn;
  spec.dns_sans = {san};
  return lab::issue(spec, nullptr);
}
std::string error_of(std::string_view command) {
  auto parsed = control::parse_xconfiguration(command);
  return parsed ? "" : parsed.error();
}
}  // namespace

TEST(XConfiguration, TheAppliancesSyntaxAsTyped) {
  EXPECT_EQ(set_value("xConfiguration EdgeConfigServer VerifyOriginServer: Off"), VerifyOriginServer::Off);
  EXPECT_EQ(set_value("xConfiguration EdgeConfigServer VerifyOriginServer: On"), VerifyOriginServer::On);
  // The shell does not care about case, the spaces around the colon or quotes round the value.
  EXPECT_EQ(set_value("xconfiguration edgeconfigserver verifyoriginserver: off"), VerifyOriginServer::Off);
  EXPECT_EQ(set_value("  xConfiguration   EdgeConfigServer VerifyOriginServer :On  "), VerifyOriginServer::On);
  EXPECT_EQ(set_value("xConfiguration EdgeConfigServer VerifyOriginServer:\"Off\""), VerifyOriginServer::Off);
  EXPECT_EQ(set_value("xConfiguration\tEdgeConfigServer\tVerifyOriginServer:\tOFF\r\n"), VerifyOriginServer::Off);
}

TEST(XConfiguration, ReadBackInTheShellsFormat) {
  for (auto command : {"xConfiguration EdgeConfigServer", "xconfiguration EDGECONFIGSERVER verifyOriginServer"}) {
    auto parsed = control::parse_xconfiguration(command);
    ASSERT_TRUE(parsed) << command;
    EXPECT_TRUE(std::holds_alternative<control::ReadEdgeConfigServer>(*parsed)) << command;
  }
  EXPECT_EQ(control::read_back(VerifyOriginServer::On), "*c xConfiguration EdgeConfigServer VerifyOriginServer: \"On\"");
  EXPECT_EQ(control::read_back(VerifyOriginServer::Off), "*c xConfiguration EdgeConfigServer VerifyOriginServer: \"Off\"");
}

TEST(XConfiguration, BadCommandsSayWhichWordIsWrong) {
  EXPECT_EQ(error_of(""), "empty command: expected xConfiguration EdgeConfigServer");
  EXPECT_EQ(error_of("xStatus EdgeConfigServer"),
            "unknown command \"xStatus\": only xConfiguration EdgeConfigServer is emulated");
  EXPECT_EQ(error_of("xConfiguration"), "incomplete command: expected xConfiguration EdgeConfigServer");
  EXPECT_EQ(error_of("xConfiguration Zones"), "no such configuration \"Zones\": only EdgeConfigServer is emulated");
  EXPECT_EQ(error_of("xConfiguration EdgeConfigServer Verify: Off"),
            "no such setting \"EdgeConfigServer Verify\": expected VerifyOriginServer");
  EXPECT_EQ(error_of("xConfiguration EdgeConfigServer VerifyOriginServer Off"),
            "expected ':' after VerifyOriginServer, found \"Off\"");
  EXPECT_EQ(error_of("xConfiguration EdgeConfigServer VerifyOriginServer:"), "VerifyOriginServer: a value is required (On or Off)");
  EXPECT_EQ(error_of("xConfiguration EdgeConfigServer VerifyOriginServer: Maybe"),
            "VerifyOriginServer: \"Maybe\" is not a valid value (On or Off)");
  EXPECT_EQ(error_of("xConfiguration EdgeConfigServer VerifyOriginServer: log-only"),
            "VerifyOriginServer: \"log-only\" is not a valid value (On or Off)");
  EXPECT_EQ(error_of("xConfiguration EdgeConfigServer VerifyOriginServer: Off On"), "unexpected \"On\" after the value");
}

TEST(Settings, AnySubsetAppliesAndOnlyDifferencesAreChanges) {
  config::Expressway e;
  auto change = control::parse_settings(nlohmann::json{{"version", "X14.0.7"}, {"cipher_preference", "rsa"}});
  ASSERT_TRUE(change) << change.error();
  auto changes = *control::apply(*change, e, e.ciphers);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].setting, "version");
  EXPECT_EQ(changes[0].before, "X14.2.0");
  EXPECT_EQ(changes[0].after, "X14.0.7");
  EXPECT_EQ(changes[1].setting, "cipher preference");
  EXPECT_EQ(e.ciphers, "ECDHE-RSA-AES256-GCM-SHA384:EECDH:EDH:HIGH:-AES256+SHA:!MEDIUM:!LOW:!3DES:!MD5:!PSK:!eNULL:!aNULL:!aDH");
  EXPECT_FALSE(e.verifies_per_request());
  // The same again changes nothing; ECDSA takes the prefix off.
  EXPECT_TRUE(control::apply(*change, e, e.ciphers)->empty());
  auto back = control::parse_settings(nlohmann::json{{"cipher_preference", "ECDSA"}, {"verify_origin_server", "log-only"}});
  ASSERT_TRUE(back) << back.error();
  changes = *control::apply(*back, e, e.ciphers);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].setting, "VerifyOriginServer");
  EXPECT_EQ(changes[0].after, "log-only");
  EXPECT_EQ(e.ciphers, config::Expressway{}.ciphers);
  EXPECT_EQ(proxy::generation_line(control::change_text(changes[0]), 9),
            "[admin] NOTICE: VerifyOriginServer changed from \"On\" to \"log-only\" (runtime generation 9)");
}

TEST(Settings, BadBodiesAreRefusedWithTheKeyAndTheValues) {
  auto error = [](const nlohmann::json& body) {
    auto r = control::parse_settings(body);
    return r ? std::string() : r.error();
  };
  EXPECT_EQ(error(nlohmann::json::array()), "expected a JSON object of settings (version, verify_origin_server, upgraded_from, cipher_preference)");
  EXPECT_EQ(error(nlohmann::json::object()), "no setting given (version, verify_origin_server, upgraded_from, cipher_preference)");
  EXPECT_EQ(error({{"verify", "off"}}),
            "unknown setting \"verify\" (settings: version, verify_origin_server, upgraded_from, cipher_preference)");
  EXPECT_EQ(error({{"version", 14}}), "version: expected a string, got 14");
  EXPECT_EQ(error({{"version", "fourteen"}}), "version: \"fourteen\" is not a version (like X14.2.0)");
  EXPECT_EQ(error({{"verify_origin_server", "yes"}}), "verify_origin_server: \"yes\" is not one of on, off, log-only");
  EXPECT_EQ(error({{"cipher_preference", "dsa"}}), "cipher_preference: \"dsa\" is not one of ecdsa, rsa");
  // One bad key refuses the whole body.
  EXPECT_NE(error({{"version", "X14.0.7"}, {"cipher_preference", "dsa"}}), "");
}

TEST(Settings, KeyValueWordsBecomeTheApiBody) {
  auto body = control::settings_json({"version=X14.0.7", "cipher_preference=rsa"});
  ASSERT_TRUE(body) << body.error();
  EXPECT_EQ(*body, (nlohmann::json{{"version", "X14.0.7"}, {"cipher_preference", "rsa"}}));
  EXPECT_EQ(control::settings_json({"version"}).error(),
            "\"version\": expected key=value (keys: version, verify_origin_server, upgraded_from, cipher_preference)");
  EXPECT_FALSE(control::settings_json({}));
}

TEST(TrustList, OneCertificatePerCommonNameLikeTheAppliance) {
  auto first = self_signed("cucm.steven.lab", "cucm.steven.lab");
  auto same_cn = self_signed("cucm.steven.lab", "cucm2.steven.lab");
  auto other = self_signed("imp.steven.lab", "imp.steven.lab");
  auto list = control::TrustList::of(verify::TrustStore::from_certificates({}));
  auto added = list.add(first.cert_pem());
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_EQ(added->size(), 1u);
  EXPECT_EQ((*added)[0].subject_cn, "cucm.steven.lab");

  auto again = list.add(first.cert_pem());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, control::TrustRefusal::Kind::AlreadyThere);
  auto clash = list.add(other.cert_pem() + same_cn.cert_pem());
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().kind, control::TrustRefusal::Kind::SameCommonName);
  EXPECT_EQ(clash.error().message, "the trust store already holds a certificate with CN \"cucm.steven.lab\" (SHA-256 " +
                                       (*added)[0].sha256 + "); Expressway keeps one certificate per CN (CSCwa12905): remove that one first");
  EXPECT_EQ(list.entries().size(), 1u) << "a refused upload adds nothing, not even its good certificates";
  EXPECT_EQ(list.add(self_signed("CUCM.Steven.Lab", "cucm3.steven.lab").cert_pem()).error().kind,
            control::TrustRefusal::Kind::SameCommonName)
      << "CNs compare without regard to case, as the store audit does";
  EXPECT_EQ(list.add("not a certificate").error().kind, control::TrustRefusal::Kind::NotPem);

  // Removal by fingerprint, with or without colons, in any case; then the CN is free again.
  auto removed = list.remove(control::fingerprint_key((*added)[0].sha256));
  ASSERT_TRUE(removed) << removed.error();
  EXPECT_TRUE(list.entries().empty());
  EXPECT_FALSE(list.remove((*added)[0].sha256));
  ASSERT_TRUE(list.add(same_cn.cert_pem()));
  EXPECT_EQ(list.store().certificates().size(), 1u);
}

TEST(Metrics, PrometheusTextWithEscapedLabels) {
  proxy::MetricsSnapshot m;
  m.responses = {{200, 7}, {502, 2}};
  m.verification_failures[{"cucm\"x\\y:8443", "self-signed"}] = 2;
  m.origin_handshakes_ok = 3;
  m.pool_reuses = 4;
  m.client_connections = 1;
  const auto text = control::prometheus_text(m);
  EXPECT_NE(text.find("# HELP mratls_http_responses_total Responses sent to clients, by status code.\n"
                      "# TYPE mratls_http_responses_total counter\n"
                      "mratls_http_responses_total{code=\"200\"} 7\n"
                      "mratls_http_responses_total{code=\"502\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mratls_origin_verification_failures_total{origin=\"cucm\\\"x\\\\y:8443\",reason=\"self-signed\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mratls_origin_tls_handshakes_total{result=\"failed\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE mratls_client_connections gauge\nmratls_client_connections 1\n"), std::string::npos);
}

namespace {

// "sha256-<base64>" of the text between <tag> and </tag>, by OpenSSL, as a browser computes it.
std::string hash_source(std::string_view page, const std::string& tag) {
  const auto open = page.find("<" + tag + ">");
  const auto close = page.find("</" + tag + ">");
  EXPECT_NE(open, std::string_view::npos);
  EXPECT_NE(close, std::string_view::npos);
  const auto content = page.substr(open + tag.size() + 2, close - open - tag.size() - 2);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(content.data(), content.size(), digest, &size, EVP_sha256(), nullptr), 1);
  std::string base64(4 * ((size + 2) / 3) + 1, '\0');
  base64.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()), digest, static_cast<int>(size))));
  return "sha256-" + base64;
}

}  // namespace

TEST(AdminPage, ThePolicyAllowsItsOwnScriptAndStyleByHashAndNothingInline) {
  const auto page = control::admin_page();
  std::string policy;
  for (const auto& [k, v] : page.headers)
    if (k == "Content-Security-Policy") policy = v;
  const auto script = hash_source(page.body, "script");
  const auto style = hash_source(page.body, "style");
  EXPECT_EQ(control::admin_page_script_hash(), script);
  EXPECT_EQ(control::admin_page_style_hash(), style);
  EXPECT_EQ(policy, "default-src 'none'; script-src '" + script + "'; style-src '" + style +
                        "'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  EXPECT_EQ(policy.find("unsafe"), std::string::npos);
  // The hash covers one element: a second one, or markup that runs script, would not be allowed.
  EXPECT_EQ(page.body.find("<script", page.body.find("<script") + 1), std::string::npos);
  EXPECT_EQ(page.body.find(" onclick="), std::string::npos);
  EXPECT_EQ(page.body.find(" style="), std::string::npos);
}

// A reload reads the file again; what the admin API changed goes back on top, each with its
// line, and what the file now agrees with is forgotten.
TEST(AdminChanges, AReloadKeepsWhatTheAdminChangedAndForgetsWhatTheFileNowSays) {
  auto added = self_signed("imp.steven.lab", "imp.steven.lab");
  auto removed = self_signed("cucm.steven.lab", "cucm.steven.lab");
  auto file_trust = [&] { return control::TrustList::of(*verify::TrustStore::from_pem_text(removed.cert_pem(), "file.pem")); };

  control::AdminChanges changes;
  auto set = control::parse_settings(nlohmann::json{{"verify_origin_server", "off"}, {"cipher_preference", "rsa"}});
  ASSERT_TRUE(set) << set.error();
  changes.record(*set);
  auto list = file_trust();
  auto in = list.add(added.cert_pem());
  ASSERT_TRUE(in) << in.error().message;
  changes.record_added((*in)[0], added.cert_pem());
  changes.record_removed(verify::summarize(removed.cert.get()));
  EXPECT_EQ(changes.describe().size(), 4u);

  // The file as it was: everything is put back, one line each.
  config::Expressway settings;
  auto trust = file_trust();
  auto kept = changes.reapply(settings, trust);
  ASSERT_TRUE(kept) << kept.error();
  EXPECT_EQ(settings.verify_origin_server, VerifyOriginServer::Off);
  EXPECT_TRUE(verify::has_rsa_first_prefix(settings.ciphers));
  ASSERT_EQ(trust.entries().size(), 1u);
  EXPECT_EQ(trust.entries()[0].summary.subject_cn, "imp.steven.lab");
  ASSERT_EQ(kept->lines.size(), 4u);
  EXPECT_EQ(kept->lines[0], "[reload] NOTICE: VerifyOriginServer kept at \"Off\" as the admin API set it (the file says \"On\")");
  EXPECT_EQ(kept->lines[1], "[reload] NOTICE: cipher preference kept at \"rsa\" as the admin API set it (the file says \"ecdsa\")");
  EXPECT_EQ(kept->lines[2], "[reload] NOTICE: trust store kept without " + verify::summarize(removed.cert.get()).subject +
                                " (SHA-256 " + verify::summarize(removed.cert.get()).sha256 + ") as the admin API removed it");
  EXPECT_TRUE(kept->lines[3].starts_with("[reload] NOTICE: trust store kept with CN=imp.steven.lab")) << kept->lines[3];
  EXPECT_EQ(changes.describe().size(), 4u);

  // A file that now says the same: nothing to put back, and nothing left to keep.
  config::Expressway agreeing;
  agreeing.verify_origin_server = VerifyOriginServer::Off;
  agreeing.ciphers = verify::rsa_first(agreeing.ciphers);
  auto same = control::TrustList::of(*verify::TrustStore::from_pem_text(added.cert_pem(), "file.pem"));
  kept = changes.reapply(agreeing, same);
  ASSERT_TRUE(kept) << kept.error();
  EXPECT_TRUE(kept->lines.empty());
  EXPECT_TRUE(changes.empty()) << changes.describe().size();
}

// upgraded_from applies the release notes' rule to the file's string, whatever the string in
// force, so that two upgrade paths can be shown one after the other on the same site.
TEST(Settings, UpgradedFromAppliesTheUpgradesCipherStringToTheFilesString) {
  const std::string file = config::kDefaultCiphers;
  config::Expressway e;
  auto recent = control::parse_settings(nlohmann::json{{"upgraded_from", "X14.0.7"}});
  ASSERT_TRUE(recent) << recent.error();
  auto changes = control::apply(*recent, e, file);
  ASSERT_TRUE(changes) << changes.error();
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].setting, "cipher string (upgraded from X14.0.7)");
  EXPECT_EQ((*changes)[0].before, file);
  EXPECT_EQ(e.ciphers, "ECDHE-RSA-AES256-GCM-SHA384:" + file);
  EXPECT_EQ(e.version.to_string(), "X14.2.0");  // the version stays as it is set

  auto old = control::parse_settings(nlohmann::json{{"upgraded_from", "X12.7"}});
  ASSERT_TRUE(old);
  changes = control::apply(*old, e, file);
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(e.ciphers, file) << "from X12.7 the file's string stays, even after another path was shown";
  EXPECT_TRUE(control::apply(*old, e, file)->empty());

  // A file that carries the prefix already keeps it once, from X14.0 or later.
  const std::string prefixed = "ECDHE-RSA-AES256-GCM-SHA384:" + file;
  config::Expressway p;
  p.ciphers = prefixed;
  EXPECT_TRUE(control::apply(*recent, p, prefixed)->empty());

  auto bad = control::parse_settings(nlohmann::json{{"upgraded_from", "X99-beta"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "upgraded_from: 'X99-beta' is not an Expressway release: give the version the site runs, such as X12.7 or "
                         "X14.0.7, or 'fresh'");
  auto json = control::settings_json({"upgraded_from=fresh"});
  ASSERT_TRUE(json);
  EXPECT_TRUE(control::parse_settings(*json));
}

TEST(AdminChanges, AnUpgradePathIsKeptOnTopOfTheFileAndReplacesAnEarlierPreference) {
  control::AdminChanges changes;
  changes.record(*control::parse_settings(nlohmann::json{{"cipher_preference", "rsa"}}));
  changes.record(*control::parse_settings(nlohmann::json{{"upgraded_from", "X14.0.7"}}));
  EXPECT_EQ(changes.describe(), std::vector<std::string>{"upgraded from X14.0.7"});
  config::Expressway settings;
  auto trust = control::TrustList::of(*verify::TrustStore::from_pem_text(self_signed("a.lab", "a.lab").cert_pem(), "file.pem"));
  auto kept = changes.reapply(settings, trust);
  ASSERT_TRUE(kept) << kept.error();
  EXPECT_TRUE(verify::has_rsa_first_prefix(settings.ciphers));
  ASSERT_EQ(kept->lines.size(), 1u);
  EXPECT_TRUE(kept->lines[0].starts_with("[reload] NOTICE: cipher string (upgraded from X14.0.7) kept at \"ECDHE-RSA-AES256-GCM-SHA384:"))
      << kept->lines[0];
  // An upgrade path whose string the file has already is still kept: it is what the admin said.
  control::AdminChanges same;
  same.record(*control::parse_settings(nlohmann::json{{"upgraded_from", "X12.7"}}));
  config::Expressway file;
  auto kept_same = same.reapply(file, trust);
  ASSERT_TRUE(kept_same) << kept_same.error();
  EXPECT_TRUE(kept_same->lines.empty());
  EXPECT_EQ(same.upgraded_from(), std::optional<std::string>("X12.7"));

  // A preference set after the path stays on top of it.
  changes.record(*control::parse_settings(nlohmann::json{{"cipher_preference", "ecdsa"}}));
  config::Expressway again;
  kept = changes.reapply(again, trust);
  ASSERT_TRUE(kept) << kept.error();
  EXPECT_FALSE(verify::has_rsa_first_prefix(again.ciphers));
}

TEST(AdminChanges, AnAddedCertificateWhoseCnTheFileNowHoldsRefusesTheReload) {
  auto added = self_signed("imp.steven.lab", "imp.steven.lab");
  auto rekeyed = self_signed("imp.steven.lab", "imp.steven.lab");
  control::AdminChanges changes;
  changes.record_added(verify::summarize(added.cert.get()), added.cert_pem());
  config::Expressway settings;
  auto trust = control::TrustList::of(*verify::TrustStore::from_pem_text(rekeyed.cert_pem(), "file.pem"));
  auto kept = changes.reapply(settings, trust);
  ASSERT_FALSE(kept);
  EXPECT_NE(kept.error().find("the admin API added CN=imp.steven.lab"), std::string::npos) << kept.error();
  EXPECT_NE(kept.error().find("CSCwa12905"), std::string::npos) << kept.error();
}

// A request path or an origin's line may hold bytes that are not UTF-8; the API answers with them
// replaced instead of throwing on the event thread.
TEST(AdminApi, BytesThatAreNotUtf8AreReplacedNotThrown) {
  const auto r = control::json_response(200, {{"last_lines", {std::string("GET /caf\xE9 HTTP/1.1")}}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("caf\xEF\xBF\xBD"), std::string::npos) << r.body;
}
