// Typed reads of YAML scalars for the config loader, each failing with the message operators get:
//   faultline.yaml:12:5: correlation.hold: expected a duration like "5s", got "five"
// Also `${VAR}` / `${VAR:-default}` expansion and "did you mean" suggestions for unknown keys.
// Used only while loading; not thread-safe (holds the file name and the environment seam).
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace faultline::config {

// The environment, behind a seam so tests do not touch the process environment.
using Getenv = std::function<std::optional<std::string>(std::string_view name)>;
Getenv process_getenv();

class YamlReader {
 public:
  YamlReader(std::string file, Getenv env) : file_(std::move(file)), env_(std::move(env)) {}

  const std::string& file() const { return file_; }
  const Getenv& env() const { return env_; }

  // "file:line:col: path: what" (line and column 1-based); without a mark when the node has none.
  Status error(const YAML::Node& node, std::string_view path, std::string_view what) const;
  Status error_at(const YAML::Mark& mark, std::string_view path, std::string_view what) const;

  // Expands ${VAR} and ${VAR:-default} in every scalar of `root`, in place. `$${` is a literal
  // `${`.
  Status expand_env(YAML::Node& root, const std::string& path = "") const;

  // Typed scalar reads. `path` is the dotted key path used in messages.
  Status read(const YAML::Node& n, std::string_view path, std::string& out) const;
  Status read(const YAML::Node& n, std::string_view path, bool& out) const;
  Status read(const YAML::Node& n, std::string_view path, int& out, int min, int max) const;
  Status read(const YAML::Node& n, std::string_view path, size_t& out, size_t min,
              size_t max) const;
  // Sizes and durations within [min, max] (inclusive), so that a value that would fail or
  // exhaust memory later is refused here, with its position.
  Status read_size(const YAML::Node& n, std::string_view path, uint64_t& out, uint64_t min = 0,
                   uint64_t max = UINT64_MAX) const;
  Status read_duration(const YAML::Node& n, std::string_view path, std::chrono::milliseconds& out,
                       std::chrono::milliseconds min = std::chrono::milliseconds(0),
                       std::chrono::milliseconds max = std::chrono::hours(24 * 365)) const;
  Status read_list(const YAML::Node& n, std::string_view path, std::vector<std::string>& out) const;
  // A list of record key paths (`req.id`, `a["x.y"]`), each checked for its syntax.
  Status read_key_paths(const YAML::Node& n, std::string_view path,
                        std::vector<std::string>& out) const;
  Status read_enum(const YAML::Node& n, std::string_view path, std::string& out,
                   const std::vector<std::string_view>& allowed) const;
  // A level given as a pino label ("warn") or a number.
  Status read_level(const YAML::Node& n, std::string_view path, int& out) const;

  // Checks that `map` is a mapping whose keys are all in `known`; an unknown key is an error with
  // a suggestion; a key given twice is an error too (yaml-cpp would silently keep one).
  Status check_keys(const YAML::Node& map, std::string_view path,
                    const std::vector<std::string_view>& known) const;

 private:
  std::string file_;
  Getenv env_;
};

// The closest of `candidates` to `word` when it is close enough to be a likely typo, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

std::string join_path(std::string_view parent, std::string_view key);

}  // namespace faultline::config
