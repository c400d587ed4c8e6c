// A verification finding as every command's JSON carries it.
#pragma once

#include <nlohmann/json.hpp>

#include "verify/origin_verification.hpp"

namespace mratls::verify {

inline nlohmann::json finding_json(const Finding& f) {
  return {{"kind", f.kind == Finding::Kind::Name ? "name" : "chain"},
          {"x509_error", f.x509_error},
          {"depth", f.depth},
          {"text", finding_text(f, config::OpenSslText::Expressway)}};
}

}  // namespace mratls::verify
