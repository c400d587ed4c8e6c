#include "replay/site_lab.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "config/whole_file.hpp"
#include "lab/in_process.hpp"
#include "lab/mock_origin.hpp"
#include "lab/runner.hpp"
#include "lab/scenarios.hpp"
#include "mra/mra_path.hpp"
#include "proxy/blocking_client.hpp"
#include "config/save.hpp"
#include "scan/scanner.hpp"

namespace mratls::replay {

// How the lab presents one origin: its certificate and chain, what the trust store must hold
// beyond the lab root for a fix, and whether it asks for a client certificate.
struct LiveNode {
  std::string host;  // the name requests address (the FQDN when the fix advertises it)
  std::string ip;    // its loopback address
  bool listens = true;
  bool configured = true;  // a server of the proxy's (the allow list's automatic rules)
  lab::MockOriginSpec spec;
  std::vector<std::string> trusted_pem;
};

struct LiveSite::Nodes {
  lab::LoopbackBlock block;
  std::vector<LiveNode> plans;
  std::vector<std::unique_ptr<lab::MockOrigin>> origins;
};

namespace {

constexpr int kFirstHost = 11;
constexpr int kLastHost = 250;
constexpr auto kYear = std::chrono::hours(24 * 365);
constexpr auto kDay = std::chrono::hours(24);

lab::Issued ca_below(const std::string& cn, const lab::Issued* parent, Build validity = Build::CaSigned) {
  lab::CertSpec spec;
  spec.common_name = cn;
  spec.subject_fields = {{"O", "mratls replay"}};
  spec.is_ca = true;
  spec.not_after = 5 * kYear;
  if (validity == Build::Expired) spec.not_before = -2 * kYear, spec.not_after = -kDay;
  if (validity == Build::NotYetValid) spec.not_before = 30 * kDay, spec.not_after = 5 * kYear;
  return lab::issue(spec, parent, lab::generate_key(lab::KeyType::EcdsaP256));
}

bool applied_to(const std::vector<const SiteFix*>& applied, FixKind kind, std::size_t origin) {
  return std::ranges::any_of(applied, [&](const SiteFix* f) { return f->kind == kind && f->applies_to(origin); });
}

bool certificate_shape(Build b) {
  return b == Build::CaSigned || b == Build::SelfSigned || b == Build::UntrustedRoot || b == Build::Expired ||
         b == Build::NotYetValid || b == Build::OtherName || b == Build::RefusesClientCertificate;
}

// The certificate the lines imply, with the lab's CAs: the names the site's node gives, the
// error at the depth the lines name.
void plan_from_lines(LiveNode& plan, const SiteOrigin& o, std::size_t i, const NodeShape& shape,
                     const std::vector<const SiteFix*>& applied, SitePki& pki, lab::KeyType key) {
  lab::CertSpec leaf;
  leaf.common_name = o.host;
  // The traffic server matches an IP literal against DNS-type SANs only.
  leaf.dns_sans = {o.host};
  leaf.subject_fields = {{"O", "mratls replay"}};
  leaf.key_type = key;
  lab::Issued issuer = pki.trusted_intermediate();
  std::vector<lab::Issued> chain{pki.trusted_intermediate()};
  switch (shape.build) {
    case Build::OtherName:
      if (!applied_to(applied, FixKind::AddNameToCertificate, i)) {
        leaf.common_name = other_name(o, o.domain);
        leaf.dns_sans = {leaf.common_name};
      }
      break;
    case Build::SelfSigned: {
      auto self = lab::issue(leaf, nullptr);
      if (applied_to(applied, FixKind::TrustNodeCertificate, i)) plan.trusted_pem.push_back(self.cert_pem());
      plan.spec.certificates = {{self, {}}};
      return;
    }
    case Build::UntrustedRoot: {
      if (applied_to(applied, FixKind::TrustCa, i)) plan.trusted_pem.push_back(pki.untrusted_root().cert_pem());
      chain = pki.untrusted_chain(shape.root_sent ? std::max(shape.depth - 1, 0) : shape.depth);
      issuer = chain.empty() ? pki.untrusted_root() : chain.front();
      if (shape.root_sent) chain.push_back(pki.untrusted_root());
      break;
    }
    case Build::Expired:
    case Build::NotYetValid: {
      const bool renewed = applied_to(applied, FixKind::RenewCertificate, i);
      if (shape.depth == 0) {
        if (!renewed && shape.build == Build::Expired) leaf.not_before = -2 * kYear, leaf.not_after = -kDay;
        if (!renewed && shape.build == Build::NotYetValid) leaf.not_before = 30 * kDay;
      } else {
        chain = pki.trusted_chain(shape.depth, renewed ? Build::CaSigned : shape.build);
        issuer = chain.front();
      }
      break;
    }
    default: break;
  }
  plan.spec.certificates = {{lab::issue(leaf, &issuer), chain}};
}

// The captured chain copied; the root above it trusted unless the lines say the store lacks it
// (or the node's certificate is self-signed). Above a left-out intermediate the root is taken
// as trusted: the usual case, and the one in which sending the intermediate heals.
void plan_from_capture(LiveNode& plan, const SiteOrigin& o, std::size_t i, const NodeShape& shape,
                       const std::vector<const SiteFix*>& applied, SitePki& pki) {
  const auto& bp = pki.blueprint(i, *o.captured);
  ChainChanges changes;
  changes.renew = applied_to(applied, FixKind::RenewCertificate, i);
  if (applied_to(applied, FixKind::AddNameToCertificate, i)) changes.add_dns = {o.host};
  changes.send_left_out = applied_to(applied, FixKind::SendIntermediate, i);
  auto built = build(bp, pki.copies, changes);
  const bool refused_root = shape.build == Build::SelfSigned || (shape.build == Build::UntrustedRoot && !bp.left_out);
  if (!refused_root) plan.trusted_pem.push_back(built.root.cert_pem());
  if (applied_to(applied, FixKind::TrustNodeCertificate, i) || applied_to(applied, FixKind::TrustCa, i))
    plan.trusted_pem.push_back(built.left_out ? built.left_out->cert_pem() : built.root.cert_pem());
  plan.spec.certificates = {{built.leaf, built.sent}};
}

LiveNode plan_node(const SiteOrigin& o, std::size_t i, const NodeShape& shape, const std::vector<const SiteFix*>& applied,
                   SitePki& pki, const std::string& ip) {
  const auto& lab_ca = lab::LabAuthorities::shared();
  LiveNode plan;
  plan.ip = ip;
  plan.host = applied_to(applied, FixKind::AdvertiseFqdn, i) ? other_name(o, o.domain) : o.host;
  plan.spec.name = o.name();
  plan.spec.address = ip;
  plan.spec.port = static_cast<std::uint16_t>(o.port);
  plan.spec.tls = o.protocol == "https";
  plan.spec.tls13 = o.captured && o.captured->tls13();
  switch (shape.build) {
    case Build::RefusesClientCertificate:
      // Expressway-C's certificate is signed by the lab root; the node trusts only another CA.
      plan.spec.client_certificate_cas = {applied_to(applied, FixKind::TrustExpresswayOnNode, i) ? lab_ca.root
                                                                                                 : pki.untrusted_root()};
      break;
    case Build::NotListening:
    case Build::NoPort: plan.listens = false; break;
    case Build::Stalls: plan.spec.behaviour = lab::OriginBehaviour::Stall; break;
    case Build::NotAllowed:
      plan.listens = false;
      plan.configured = false;
      break;
    default: break;
  }
  if (!plan.spec.tls || !plan.listens) return plan;
  const auto facts = facts_of(o, i, shape, pki);
  if (o.captured && !o.captured->chain.empty() && certificate_shape(shape.build))
    plan_from_capture(plan, o, i, shape, applied, pki);
  else
    plan_from_lines(plan, o, i, shape, applied, pki, facts.dual ? lab::KeyType::EcdsaP256 : lab::KeyType::Rsa2048);
  if (facts.dual) {
    // tomcat beside tomcat-ECDSA: CA-signed, for the names the node's certificate holds.
    lab::CertSpec rsa;
    rsa.common_name = o.host;
    rsa.dns_sans = {o.host};
    rsa.subject_fields = {{"O", "mratls replay"}};
    plan.spec.certificates.push_back({lab::issue(rsa, &pki.trusted_intermediate()), {pki.trusted_intermediate()}});
  }
  return plan;
}

struct Replayed {
  std::size_t origin = 0;
  std::size_t request = 0;
};

// Each origin's first requests and its shown one, in the order the site sent them.
std::vector<Replayed> replay_order(const SiteModel& site, const ReplayLimits& limits, std::size_t& left_out) {
  std::vector<Replayed> out;
  left_out = 0;
  for (std::size_t o = 0; o < site.origins.size(); ++o) {
    const auto& origin = site.origins[o];
    for (std::size_t r = 0; r < origin.requests.size(); ++r) {
      if (r < limits.requests_per_origin || r == origin.shown) out.push_back({o, r});
      else ++left_out;
    }
  }
  std::ranges::stable_sort(out, [&](const Replayed& a, const Replayed& b) {
    return site.origins[a.origin].requests[a.request].at_ms < site.origins[b.origin].requests[b.request].at_ms;
  });
  return out;
}

// "/<MRA segment>/<path>": the request's target at the node as the lab addresses it.
std::string mra_target(const SiteOrigin& o, const LiveNode& plan, const SiteRequest& r) {
  const auto segment = mra::encode_segment({o.domain, o.protocol, plan.host, static_cast<std::uint16_t>(o.port),
                                            mra::is_ip_literal(plan.host)});
  return "/" + segment + (r.path.empty() || r.path.front() != '/' ? "/" + r.path : r.path);
}

std::string request_bytes(const SiteOrigin& o, const LiveNode& plan, const SiteRequest& r) {
  const std::string authority = std::string(lab::kLabPublicName) + ":8443";
  std::string bytes = r.method + " http://" + authority + mra_target(o, plan, r) + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  if (r.method != "GET" && r.method != "HEAD") bytes += "Content-Length: 0\r\n";
  return bytes + "\r\n";
}

// What scan reads from the lines of one replayed request.
LabAnswer read_back(const std::vector<std::string>& lines, int status) {
  LabAnswer answer{true, status, {}};
  scan::Scanner scanner;
  scanner.on_transaction([&](const scan::TransactionRecord& t) {
    answer.status = t.status;
    answer.lines = t.reasons;
  });
  for (const auto& l : lines) scanner.feed(l, "lab");
  scanner.finish();
  return answer;
}

using Started = LiveSite::Nodes;

std::expected<Started, std::string> start_nodes(const SiteModel& site, const std::vector<NodeShape>& shapes,
                                                const std::vector<const SiteFix*>& applied, SitePki& pki) {
  std::vector<std::string> hosts;
  for (const auto& o : site.origins)
    if (std::ranges::find(hosts, o.host) == hosts.end()) hosts.push_back(o.host);
  if (kFirstHost + static_cast<int>(hosts.size()) > kLastHost + 1)
    return std::unexpected("the site has " + std::to_string(hosts.size()) + " hosts; a replay places at most " +
                           std::to_string(kLastHost - kFirstHost + 1) + " in its loopback block");
  std::string busy;
  for (int b = 0; b < lab::kCandidateBlocks; ++b) {
    Started s;
    s.block = lab::candidate_block(b);
    std::vector<lab::ListenPoint> points, quiet;
    for (std::size_t i = 0; i < site.origins.size(); ++i) {
      const auto& o = site.origins[i];
      const auto host = std::ranges::find(hosts, o.host) - hosts.begin();
      s.plans.push_back(plan_node(o, i, shapes[i], applied, pki, s.block.address(kFirstHost + static_cast<int>(host))));
      (s.plans.back().listens ? points : quiet).push_back({s.plans.back().ip, static_cast<std::uint16_t>(o.port)});
    }
    if (const auto taken = lab::first_busy(points)) {
      if (taken->error != EADDRINUSE)
        return std::unexpected("cannot listen on " + taken->where + ": " + std::strerror(taken->error) +
                               (taken->error == EACCES ? " (a port below 1024 needs root or CAP_NET_BIND_SERVICE)" : ""));
      busy = taken->where;
      continue;
    }
    // A node that must refuse connections needs its address free too: another lab listening
    // there would answer for it. A port this user may not take (EACCES) is left as it is.
    const auto answered = std::ranges::find_if(quiet, [](const lab::ListenPoint& p) {
      const auto taken = lab::first_busy({p});
      return taken && taken->error == EADDRINUSE;
    });
    if (answered != quiet.end()) {
      busy = answered->address + ":" + std::to_string(answered->port);
      continue;
    }
    std::string failed;
    for (auto& plan : s.plans) {
      if (!plan.listens) continue;
      auto origin = lab::MockOrigin::start(plan.spec);
      if (!origin) {
        failed = origin.error();
        break;
      }
      s.origins.push_back(std::move(*origin));
    }
    if (failed.empty()) return s;
    // Taken between the probe and the listener: another run starting at the same moment.
    if (failed.find(std::strerror(EADDRINUSE)) == std::string::npos) return std::unexpected(failed);
    busy = failed;
  }
  return std::unexpected("no free loopback block for the site's nodes (the last tried: " + busy + " is in use)");
}

config::Config site_proxy_config(const SiteModel& site, const Started& nodes, const std::vector<const SiteFix*>& applied,
                            const lab::LabDir& dir, SitePki& pki) {
  auto c = lab::lab_config(dir);
  c.source = "site replay";
  c.expressway.trusted_ca_certificates.clear();
  // Every request verifies its origin, as the site's shown requests did: a pooled or resumed
  // connection would skip the check and hide a log-only warning.
  c.origin.keep_alive = false;
  c.origin.tls_session_reuse = false;
  c.timeouts.handshake_ms = 5000;
  if (!site.system.empty()) c.expressway.system_name = site.system;
  std::string extra = pki.trusted_root().cert_pem();
  std::set<std::string> seen{extra};
  for (const auto& plan : nodes.plans)
    for (const auto& pem : plan.trusted_pem)
      if (seen.insert(pem).second) extra += pem;
  const auto file = (dir.path() / "trust" / "replay.pem").string();
  // A file that could not be written is named when the proxy reads its trust store.
  (void)config::write_whole_file(file, extra);
  c.expressway.trusted_ca_certificates.push_back(file);
  for (std::size_t i = 0; i < site.origins.size(); ++i) {
    const auto& plan = nodes.plans[i];
    // Every name the proxy may look up is here, IP literals included: nothing leaves loopback.
    c.hosts[plan.host] = plan.ip;
    if (!plan.configured) continue;
    const bool known = std::ranges::any_of(c.servers, [&](const config::OriginServer& s) { return s.address == plan.host; });
    if (!known) c.servers.push_back({site.origins[i].type, plan.host, true, {plan.host}});
  }
  lab::Setting setting{"", site.settings.verify.value_or(config::VerifyOriginServer::Off), verify::CertificatePreference::Ecdsa,
                       config::Version{14, 2, 0}};
  if (std::ranges::any_of(applied, [](const SiteFix* f) { return f->kind == FixKind::VerifyOff; }))
    setting.verify = config::VerifyOriginServer::Off;
  if (site.settings.preference == verify::CertificatePreference::Rsa ||
      std::ranges::any_of(applied, [](const SiteFix* f) { return f->kind == FixKind::RsaFirst; }))
    setting.preference = verify::CertificatePreference::Rsa;
  lab::apply(setting, c);
  return c;
}

}  // namespace

const lab::Issued& SitePki::trusted_root() {
  if (!trusted_root_) trusted_root_ = ca_below("mratls replay root CA", nullptr);
  return *trusted_root_;
}

const lab::Issued& SitePki::trusted_intermediate() {
  if (!trusted_intermediate_) trusted_intermediate_ = ca_below("mratls replay issuing CA", &trusted_root());
  return *trusted_intermediate_;
}

const lab::Issued& SitePki::untrusted_root() {
  if (!untrusted_root_) untrusted_root_ = ca_below("mratls replay untrusted root CA", nullptr);
  return *untrusted_root_;
}

std::vector<lab::Issued> SitePki::untrusted_chain(int k) {
  while (static_cast<int>(untrusted_.size()) < k) {
    const lab::Issued& parent = untrusted_.empty() ? untrusted_root() : untrusted_.back();
    untrusted_.push_back(ca_below("mratls replay untrusted CA " + std::to_string(untrusted_.size() + 1), &parent));
  }
  std::vector<lab::Issued> out(untrusted_.begin(), untrusted_.begin() + k);
  std::ranges::reverse(out);
  return out;
}

std::vector<lab::Issued> SitePki::trusted_chain(int depth, Build build) {
  auto& chain = trusted_[{depth, build}];
  if (chain.empty()) {
    const lab::Issued* parent = &trusted_root();
    std::vector<lab::Issued> top_down;
    top_down.reserve(static_cast<std::size_t>(depth));  // `parent` points into it
    for (int d = depth; d >= 1; --d) {
      top_down.push_back(ca_below("mratls replay CA at depth " + std::to_string(d), parent, d == depth ? build : Build::CaSigned));
      parent = &top_down.back();
    }
    chain.assign(top_down.rbegin(), top_down.rend());
  }
  return chain;
}

const ChainBlueprint& SitePki::blueprint(std::size_t origin, const CapturedTls& captured) {
  auto it = blueprints_.find(origin);
  if (it == blueprints_.end()) it = blueprints_.emplace(origin, blueprint_of(captured.chain, captured.at_ms, copies)).first;
  return it->second;
}

void SitePki::learn(const SiteModel& site) {
  for (const auto& o : site.origins)
    if (o.captured) learn_roots(o.captured->chain, o.captured->at_ms, copies);
}

NodeFacts facts_of(const SiteOrigin& o, std::size_t i, const NodeShape& shape, SitePki& pki) {
  NodeFacts facts;
  if (!o.captured || !o.troubled()) return facts;
  const bool refused = shape.build == Build::SelfSigned || shape.build == Build::UntrustedRoot;
  // CUCM's tomcat and tomcat-ECDSA: IM&P and Unity Connection are not given a second certificate.
  facts.dual = o.type == config::ServerType::UnifiedCm && refused &&
               (o.captured->ecdsa_leaf() || (o.captured->chain.empty() && o.captured->tls13()));
  if (!o.captured->chain.empty()) facts.left_out = pki.blueprint(i, *o.captured).left_out.has_value();
  return facts;
}

std::string other_name(const SiteOrigin& origin, const std::string& domain) {
  // A captured certificate says which name it holds: the one System > Server could advertise.
  if (origin.captured && !origin.captured->chain.empty()) {
    const auto& leaf = origin.captured->chain.front();
    for (const auto& n : leaf.dns_sans)
      if (!mra::is_ip_literal(n) && !n.starts_with("*.") && n != origin.host) return n;
    if (leaf.first_cn && !mra::is_ip_literal(*leaf.first_cn) && *leaf.first_cn != origin.host) return *leaf.first_cn;
  }
  if (origin.host_is_ip) {
    std::string label = origin.host;
    std::ranges::replace(label, '.', '-');
    std::ranges::replace(label, ':', '-');
    return "node-" + label + "." + (domain.empty() ? std::string("invalid") : domain);
  }
  const auto dot = origin.host.find('.');
  if (dot == std::string::npos) return origin.host + "-other";
  return origin.host.substr(0, dot) + "-other" + origin.host.substr(dot);
}

LiveSite::LiveSite(Token) {}
LiveSite::~LiveSite() = default;

std::expected<std::unique_ptr<LiveSite>, std::string> LiveSite::start(const SiteModel& site, const std::vector<NodeShape>& shapes,
                                                                      const std::vector<const SiteFix*>& applied, SitePki& pki,
                                                                      const lab::LabDir& dir) {
  if (shapes.size() != site.origins.size()) return std::unexpected("a shape per origin is needed");
  pki.learn(site);
  auto nodes = start_nodes(site, shapes, applied, pki);
  if (!nodes) return std::unexpected(nodes.error());
  auto live = std::make_unique<LiveSite>(Token{});
  live->config_ = site_proxy_config(site, *nodes, applied, dir, pki);
  live->nodes_ = std::make_unique<Nodes>(std::move(*nodes));
  return live;
}

const lab::LoopbackBlock& LiveSite::block() const { return nodes_->block; }

std::string LiveSite::request(const SiteModel& site, std::size_t origin, std::size_t request) const {
  const auto& o = site.origins[origin];
  return request_bytes(o, nodes_->plans[origin], o.requests[request]);
}

std::string LiveSite::curl(const SiteModel& site, std::size_t origin, std::uint16_t port) const {
  const auto& o = site.origins[origin];
  const auto& plan = nodes_->plans[origin];
  const auto& r = o.requests[o.shown];
  return "curl -s -o /dev/null -w '%{http_code}\\n'" + std::string(r.method == "GET" ? "" : " -X " + r.method) +
         " 'http://127.0.0.1:" + std::to_string(port) + mra_target(o, plan, r) + "'";
}

std::expected<std::vector<std::string>, std::string> LiveSite::write(const std::filesystem::path& dir, const SiteModel& site) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir / "pki", ec);
  if (ec) return std::unexpected(dir.string() + ": cannot create it: " + ec.message());
  std::vector<std::string> written;
  auto put = [&](const fs::path& file, const std::string& text) -> bool {
    if (!config::write_whole_file(file, text, file.extension() == ".key")) return false;
    written.push_back(file.string());
    return true;
  };
  for (std::size_t i = 0; i < site.origins.size(); ++i) {
    const auto& plan = nodes_->plans[i];
    std::string stem = site.origins[i].host + "_" + std::to_string(site.origins[i].port);
    // A file name in DIR/pki, whatever the host's text.
    for (auto& ch : stem)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-') ch = '-';
    if (stem.starts_with('.')) stem.front() = '-';
    for (std::size_t k = 0; k < plan.spec.certificates.size(); ++k) {
      const auto& c = plan.spec.certificates[k];
      const auto name = stem + (k ? "-" + std::string(c.leaf.key && EVP_PKEY_get_base_id(c.leaf.key.get()) == EVP_PKEY_EC ? "ecdsa" : "rsa") : "");
      std::string pem = c.leaf.cert_pem();
      for (const auto& issuer : c.chain) pem += issuer.cert_pem();
      if (!put(dir / "pki" / (name + ".pem"), pem) || !put(dir / "pki" / (name + ".key"), c.leaf.key_pem()))
        return std::unexpected((dir / "pki").string() + ": cannot write " + name);
    }
  }
  auto config = config_;
  // The files the configuration reads move with it.
  auto copy_into = [&](std::string& path, const std::string& name) -> bool {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!put(dir / "pki" / name, text)) return false;
    path = "pki/" + name;  // relative to mratls.yaml, so that the folder can move to another machine
    return true;
  };
  for (std::size_t k = 0; k < config.expressway.trusted_ca_certificates.size(); ++k)
    if (!copy_into(config.expressway.trusted_ca_certificates[k], "trust" + (k ? std::to_string(k) : std::string()) + ".pem"))
      return std::unexpected((dir / "pki").string() + ": cannot write the trust store");
  if (!copy_into(config.expressway.server_certificate, "expressway.pem") ||
      !copy_into(config.expressway.server_private_key, "expressway.key"))
    return std::unexpected((dir / "pki").string() + ": cannot write Expressway-C's certificate");
  config.source = (dir / "mratls.yaml").string();
  config.listen.port = 8443;
  if (!put(dir / "mratls.yaml", config::to_yaml(config))) return std::unexpected((dir / "mratls.yaml").string() + ": cannot write it");
  return written;
}

std::expected<SiteRun, std::string> run_site(const SiteModel& site, const std::vector<NodeShape>& shapes,
                                             const std::vector<const SiteFix*>& applied, SitePki& pki,
                                             const lab::LabDir& dir, const ReplayLimits& limits) {
  auto live = LiveSite::start(site, shapes, applied, pki, dir);
  if (!live) return std::unexpected(live.error());
  auto proxy = lab::InProcessProxy::start((*live)->proxy_config());
  if (!proxy) return std::unexpected("the proxy did not start: " + proxy.error());
  auto& p = **proxy;

  SiteRun run;
  run.block = (*live)->block();
  run.shown.resize(site.origins.size());
  const auto order = replay_order(site, limits, run.requests_left_out);
  for (const auto& r : order) {
    const auto& origin = site.origins[r.origin];
    const auto before = p.sink().lines().size();
    proxy::BlockingClient client("127.0.0.1", p.port());
    const auto response = client.exchange((*live)->request(site, r.origin, r.request));
    const bool answered = p.wait_for_response(++run.requests);
    const auto all = p.sink().lines();
    const std::vector<std::string> mine(all.begin() + static_cast<long>(before), all.end());
    if (!answered) return std::unexpected("the proxy wrote no response line for " + origin.name() + " within 10 s");
    if (r.request == origin.shown) run.shown[r.origin] = read_back(mine, response.status);
  }
  run.lines = p.sink().lines();
  return run;
}

}  // namespace mratls::replay
