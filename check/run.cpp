#include "check/run.hpp"

#include "check/change_date.hpp"
#include "proxy/runtime.hpp"
#include "verify/cipher_preference.hpp"

namespace mratls::check {
namespace {

// The handshake's verifier judges validity at the change instead of now.
void judge_at(proxy::Runtime& rt, std::optional<std::time_t> at) {
  if (at) X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(rt.origin_tls->native_handle()), *at);
}

// Asks each CUCM publisher for the nodes it advertises; returns what it learnt, as notes.
std::vector<std::string> discover(NodeList& list, const proxy::Runtime& rt) {
  std::vector<std::string> notes;
  std::vector<Node> publishers;
  for (const auto& n : list.nodes())
    if (n.type == config::ServerType::UnifiedCm && n.source != "advertised") publishers.push_back(n);
  for (const auto& pub : publishers) {
    auto body = fetch_without_verification(rt, {pub.address, "https", 8443}, "/cucm-uds/servers");
    if (!body) {
      notes.push_back("discovery on " + pub.address + " failed: " + body.error());
      continue;
    }
    auto servers = advertised_servers(*body);
    for (const auto& s : servers)
      list.add(config::ServerType::UnifiedCm, s, "advertised by " + pub.address,
               default_ports(config::ServerType::UnifiedCm));
    notes.push_back("discovery: " + pub.address + " advertises " + std::to_string(servers.size()) + " node(s)");
  }
  return notes;
}

}  // namespace

std::expected<Report, std::string> run(Request request, const Progress& progress) {
  if (request.upgrade) request.config.expressway.ciphers = request.upgrade->ciphers_after;
  // The same settings twice: the cipher string as ECDSA-first and as RSA-first.
  auto ecdsa_config = request.config;
  ecdsa_config.expressway.ciphers = verify::ecdsa_first(request.config.expressway.ciphers);
  auto rsa_config = ecdsa_config;
  rsa_config.expressway.ciphers = verify::rsa_first(ecdsa_config.expressway.ciphers);
  auto ecdsa_rt = proxy::Runtime::build(ecdsa_config, nullptr);
  if (!ecdsa_rt) return std::unexpected(ecdsa_rt.error());
  auto rsa_rt = proxy::Runtime::build(rsa_config, nullptr);
  if (!rsa_rt) return std::unexpected(rsa_rt.error());
  judge_at(**ecdsa_rt, request.at);
  judge_at(**rsa_rt, request.at);

  std::vector<std::string> notes;
  if (request.discover) notes = discover(request.nodes, **ecdsa_rt);

  std::vector<ProbeJob> jobs;
  for (const auto& n : request.nodes.nodes())
    for (auto port : n.ports) {
      ProbeTarget t{n.address, protocol_for(port), port};
      if (t.protocol == "http") {
        jobs.push_back({*ecdsa_rt, t, "n/a"});
        continue;
      }
      jobs.push_back({*ecdsa_rt, t, "ECDSA-first"});
      jobs.push_back({*rsa_rt, t, "RSA-first"});
    }
  // After the upgrade, the strings of the alternatives that are not one of the two above.
  std::vector<std::shared_ptr<const proxy::Runtime>> keep;
  std::size_t main_jobs = jobs.size();
  if (request.upgrade) {
    for (const auto& alt : verify::steering_alternatives(request.upgrade->ciphers_after)) {
      if (alt.ciphers.empty() || alt.id == "prepend") continue;  // the prepend string is RSA-first's
      auto config = request.config;
      config.expressway.ciphers = alt.ciphers;
      auto rt = proxy::Runtime::build(config, nullptr);
      if (!rt) return std::unexpected(alt.name + ": " + rt.error());
      judge_at(**rt, request.at);
      keep.push_back(*rt);
      for (std::size_t i = 0; i < main_jobs; ++i)
        if (jobs[i].preference == "ECDSA-first") jobs.push_back({*rt, jobs[i].target, alt.id});
    }
  }
  auto probes = run_probes(jobs, request.concurrency, request.threads, [&](std::size_t done) {
    if (progress) progress(done, jobs.size());
  });
  std::vector<Probe> alternative_probes(std::make_move_iterator(probes.begin() + static_cast<std::ptrdiff_t>(main_jobs)),
                                        std::make_move_iterator(probes.end()));
  probes.resize(main_jobs);
  auto report = judge(std::move(probes), std::move(notes));
  if (request.at) {
    mark_change_date(report, *request.at);
    report.at = request.at;
    report.date_warnings = change_date_warnings(report, (*ecdsa_rt)->trust.get(), *request.at);
  }
  if (request.upgrade) {
    const OfflineSettings offline{(*ecdsa_rt)->trust.get(), request.config.expressway.openssl_security_level, request.at};
    report.upgrade = judge_upgrade(report, std::move(alternative_probes), std::move(*request.upgrade), offline);
  }
  return report;
}

}  // namespace mratls::check
