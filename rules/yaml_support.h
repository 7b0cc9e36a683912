// Reading the `rules:` YAML with operator-grade messages. Every problem is collected (not just the
// first) as "file:line:col: rules.list[2].scrub.paths[0]: what was wrong", so `faultline check`
// can list them all at once. yaml-cpp throws; nothing here lets an exception escape.
//
// Used only while compiling a RuleSet; not thread-safe (one instance per compile).
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace faultline::rules {

class Diagnostics {
 public:
  // Records "file:line:col: path: what" (1-based line and column; no position when `at` has no
  // mark, e.g. a node that was not written in the file).
  void error(std::string_view file, const YAML::Node& at, std::string_view path,
             std::string_view what);
  void error_at(std::string_view file, const YAML::Mark& mark, std::string_view path,
                std::string_view what);

  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  // Ok, or every message joined by '\n' (capped, with a count of the rest).
  Status status() const;

 private:
  std::vector<std::string> errors_;
};

// A view of one YAML file while compiling: the file name for messages and the error sink.
struct Source {
  std::string file;
  Diagnostics* diag;

  void error(const YAML::Node& at, std::string_view path, std::string_view what) const {
    diag->error(file, at, path, what);
  }
};

// "a.b" + "c" → "a.b.c"; "a" + 3 → "a[3]".
std::string join_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, size_t index);

// ` (did you mean "x"?)` when one candidate is close enough to be a likely typo, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

// Reports every key of `map` not in `known` (with a suggestion) and every key given twice.
// Returns false when `map` is not a mapping (also reported).
bool check_keys(const Source& src, const YAML::Node& map, std::string_view path,
                const std::vector<std::string_view>& known);

// The scalar's text, or nullopt (reported as `expected ...`) when the node is not a scalar.
std::optional<std::string> read_scalar(const Source& src, const YAML::Node& n,
                                       std::string_view path, std::string_view expected);
// A scalar or a sequence of scalars, as a list (reported when neither or when empty).
std::optional<std::vector<std::string>> read_string_list(const Source& src, const YAML::Node& n,
                                                         std::string_view path,
                                                         std::string_view expected);
std::optional<bool> read_bool(const Source& src, const YAML::Node& n, std::string_view path);
std::optional<double> read_number(const Source& src, const YAML::Node& n, std::string_view path,
                                  double min, double max);

// "500ms", "30s", "5m", "1h", "1d", or a plain number of seconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::optional<std::chrono::milliseconds> read_duration(const Source& src, const YAML::Node& n,
                                                       std::string_view path);

}  // namespace faultline::rules
