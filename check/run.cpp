#include "check/run.hpp"

#include "check/change_date.hpp"

#include <algorithm>
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
    auto body = fetch_without_verification(rt, {pub.address, "https", config::kUdsPort}, "/cucm-uds/servers");
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
  // The two strings every TLS node is judged under: the configured string (with --from, the one
  // after the upgrade) and one that prefers the other certificate (verify::preferring, as
  // UpgradePath::ciphers_if_changed is made). Each is labelled by the certificate it prefers, as
  // OpenSSL reads it: a string such as "…:+ECDSA" or "…:!aRSA" is labelled for what it does.
  std::string first = request.upgrade ? request.upgrade->ciphers_after : request.config.expressway.ciphers;
  const auto first_prefers = verify::certificate_preference(first);
  if (!first_prefers) return std::unexpected("the cipher string '" + first + "': " + first_prefers.error());
  const auto other = *first_prefers == verify::CertificatePreference::Ecdsa ? verify::CertificatePreference::Rsa
                                                                            : verify::CertificatePreference::Ecdsa;
  std::string second = request.upgrade ? request.upgrade->ciphers_if_changed : verify::preferring(first, other).ciphers;
  // Without --from the ECDSA-first row comes first, whatever the configured string prefers.
  if (!request.upgrade && *first_prefers == verify::CertificatePreference::Rsa) std::swap(first, second);
  auto runtime_for = [&](const std::string& ciphers) -> std::expected<std::shared_ptr<proxy::Runtime>, std::string> {
    auto config = request.config;
    config.expressway.ciphers = ciphers;
    auto rt = proxy::Runtime::build(config, nullptr);
    if (rt) judge_at(**rt, request.at);
    return rt;
  };
  const auto prefers = [](const std::string& ciphers) {
    return verify::certificate_preference(ciphers).value_or(verify::CertificatePreference::Ecdsa);
  };
  const std::string first_label = verify::label(prefers(first));
  const std::string second_label = verify::label(prefers(second));
  auto first_rt = runtime_for(first);
  if (!first_rt) return std::unexpected(first_rt.error());
  auto second_rt = runtime_for(second);
  if (!second_rt) return std::unexpected(second_rt.error());

  std::vector<std::string> notes;
  if (request.discover) notes = discover(request.nodes, **first_rt);

  std::vector<ProbeJob> jobs;
  std::vector<ProbeTarget> tls_targets;
  for (const auto& n : request.nodes.nodes())
    for (auto port : n.ports) {
      ProbeTarget t{n.address, protocol_for(port), port};
      if (t.protocol == "http") {
        jobs.push_back({*first_rt, t, "n/a"});
        continue;
      }
      tls_targets.push_back(t);
      jobs.push_back({*first_rt, t, first_label});
      jobs.push_back({*second_rt, t, second_label});
    }
  // With --from, every other string a verdict needs (the one before the upgrade, each
  // alternative's), probed once per TLS node, apart from the judged rows.
  const std::size_t main_jobs = jobs.size();
  if (request.upgrade) {
    std::vector<std::string> extra{request.upgrade->ciphers_before};
    for (const auto& alt : verify::steering_alternatives(request.upgrade->ciphers_after))
      if (!alt.ciphers.empty()) extra.push_back(alt.ciphers);
    std::vector<std::string> probed{first, second};
    for (const auto& ciphers : extra) {
      if (std::ranges::find(probed, ciphers) != probed.end()) continue;
      probed.push_back(ciphers);
      auto rt = runtime_for(ciphers);
      if (!rt) return std::unexpected("the cipher string '" + ciphers + "': " + rt.error());
      for (const auto& t : tls_targets) jobs.push_back({*rt, t, "other"});
    }
  }
  auto probes = run_probes(jobs, request.concurrency, request.threads, [&](std::size_t done) {
    if (progress) progress(done, jobs.size());
  });
  std::vector<Probe> other_probes(std::make_move_iterator(probes.begin() + static_cast<std::ptrdiff_t>(main_jobs)),
                                  std::make_move_iterator(probes.end()));
  probes.resize(main_jobs);
  auto report = judge(std::move(probes), std::move(notes), request.at);
  if (request.at) {
    report.at = request.at;
    report.date_warnings = change_date_warnings(report, (*first_rt)->trust.get(), *request.at);
  }
  if (request.upgrade) {
    const OfflineSettings offline{(*first_rt)->trust.get(), request.config.expressway.openssl_security_level, request.at};
    report.upgrade = judge_upgrade(report, std::move(other_probes), std::move(*request.upgrade), offline);
    count_after_the_upgrade(report);
  }
  return report;
}

}  // namespace mratls::check
