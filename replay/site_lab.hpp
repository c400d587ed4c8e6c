// The site brought up on loopback and its requests replayed through the real proxy: a node per
// origin as it was addressed, on its real port and in a free loopback block; the proxy with the
// settings the lines imply, its hosts map sending every name (and every IP the cluster
// advertises) to loopback; and the lab's lines read back by scan's reader, as the site's were.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lab/lab_dir.hpp"
#include "replay/chain_copy.hpp"
#include "config/config.hpp"
#include "lab/loopback.hpp"
#include "lab/pki.hpp"
#include "replay/node_shape.hpp"
#include "replay/site_fix.hpp"
#include "replay/site_model.hpp"

namespace mratls::replay {

// The CAs a replay's chains lead to, made once, so that every run and what-if presents the same
// certificates: a root the lines say the trust store lacks (the lines never name it, so one
// stands for all), chains of any depth below it, and CAs of the trusted hierarchy that expired
// or are not yet valid at a given depth.
class SitePki {
 public:
  // The replay's own trusted hierarchy, named apart from the lab's and the site's CAs, so that
  // a copied chain of the built-in lab (or of a site whose CA shares a lab name) can sit beside it.
  const lab::Issued& trusted_root();
  const lab::Issued& trusted_intermediate();
  const lab::Issued& untrusted_root();
  // k intermediates below the untrusted root, nearest the leaf first.
  std::vector<lab::Issued> untrusted_chain(int k);
  // `depth` intermediates below the trusted root, nearest the leaf first, the topmost one
  // expired or not yet valid as `build` says (CaSigned: valid).
  std::vector<lab::Issued> trusted_chain(int depth, Build build);
  // The copy of origin i's captured chain (made on first use).
  const ChainBlueprint& blueprint(std::size_t origin, const CapturedTls& captured);
  // The roots the site's nodes send, before any chain is copied (LiveSite::start does it).
  void learn(const SiteModel& site);

 private:
  std::map<std::size_t, ChainBlueprint> blueprints_;
  std::optional<lab::Issued> trusted_root_, trusted_intermediate_;

 public:
  CopyCache copies;  // the copied CAs and keys every blueprint of the site shares

 private:
  std::optional<lab::Issued> untrusted_root_;
  std::vector<lab::Issued> untrusted_;              // [0] signed by the root, [1] by [0], ...
  std::map<std::pair<int, Build>, std::vector<lab::Issued>> trusted_;
};

struct LabAnswer {
  bool ran = false;  // the request was replayed
  int status = 0;
  std::vector<std::string> lines;  // its WARNING/ERROR (and denial) lines, as scan reads them
};

struct SiteRun {
  lab::LoopbackBlock block;
  std::vector<LabAnswer> shown;         // per origin: its shown request, as the lab answered it
  std::size_t requests = 0;             // replayed in all
  std::size_t requests_left_out = 0;    // beyond the per-origin cap
  std::vector<std::string> lines;       // every line the proxy wrote
};

struct ReplayLimits {
  std::size_t requests_per_origin = 20;  // a snapshot may hold thousands: the first ones, and the shown one
};

// The site's nodes up on loopback (with `applied` changed in them), and the proxy configuration
// that reaches them: what a replay runs its proxy on, and what --keep-running leaves up.
class LiveSite {
 public:
  static std::expected<std::unique_ptr<LiveSite>, std::string> start(const SiteModel& site, const std::vector<NodeShape>& shapes,
                                                                     const std::vector<const SiteFix*>& applied, SitePki& pki,
                                                                     const lab::LabDir& dir);
  ~LiveSite();
  const config::Config& proxy_config() const { return config_; }
  const lab::LoopbackBlock& block() const;
  // Origin o's request r as the site's client sent it, in absolute form.
  std::string request(const SiteModel& site, std::size_t origin, std::size_t request) const;
  // The curl command that sends origin o's shown request through a proxy on this port.
  std::string curl(const SiteModel& site, std::size_t origin, std::uint16_t port) const;
  // Every node's certificate, chain and key (pki/<host>_<port>.pem, .key), the trust store and
  // Expressway-C's own certificate (pki/), and the proxy's configuration (mratls.yaml) reading them.
  // Returns the files written, or what could not be.
  std::expected<std::vector<std::string>, std::string> write(const std::filesystem::path& dir, const SiteModel& site) const;

  struct Nodes;

 private:
  struct Token {};

 public:
  explicit LiveSite(Token);  // use start()

 private:
  std::unique_ptr<Nodes> nodes_;
  config::Config config_;
};

// Brings the site up with `applied` changed in it, replays, and takes it down again.
std::expected<SiteRun, std::string> run_site(const SiteModel& site, const std::vector<NodeShape>& shapes,
                                             const std::vector<const SiteFix*>& applied, SitePki& pki,
                                             const lab::LabDir& dir, const ReplayLimits& limits = {});

// What the lab's node for origin i has beyond its shape: an RSA certificate beside the ECDSA one
// (a CUCM node whose capture shows tomcat-ECDSA, or TLS 1.3 hiding which one refused), and an
// intermediate its captured chain leaves out.
NodeFacts facts_of(const SiteOrigin& origin, std::size_t i, const NodeShape& shape, SitePki& pki);

// The name the lab's certificate gives an origin whose certificate names another: for an IP,
// the FQDN System > Server could advertise instead.
std::string other_name(const SiteOrigin& origin, const std::string& domain);

}  // namespace mratls::replay
