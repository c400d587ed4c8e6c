// What `mratls lab` shows: the seed sequences, the login matrix and why each X14.2 failure
// happens with its fix, as text (coloured on a terminal) or JSON.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "lab/runner.hpp"

namespace mratls::lab {

struct Style {
  bool colour = false;
  std::string bold(const std::string& s) const;
  std::string status(int code) const;  // green 200, red otherwise, "---" for no answer
};

void print_catalogue(std::ostream& os);
void print_sequences(const std::vector<SequenceStep>& steps, const Style& style, std::ostream& os);
void print_matrix(const Matrix& m, const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                  const std::vector<Setting>& settings, const Style& style, std::ostream& os);

nlohmann::json sequences_json(const std::vector<SequenceStep>& steps);
nlohmann::json matrix_json(const Matrix& m, const std::vector<std::unique_ptr<RunningCluster>>& clusters,
                           const std::vector<Setting>& settings);

}  // namespace mratls::lab
