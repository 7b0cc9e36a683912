// The rules of one configuration, compiled: the `rules:` section of the YAML plus the enabled
// presets, in the order they run. docs/rules.md is the language reference.
//
//   rules:
//     presets: {secrets: true, express-noise: true, areas: false, group-by-route: false}
//                                   # or a list of the enabled ones: [secrets, areas]
//     hash-key-env: FAULTLINE_HASH_KEY   # environment variable holding the key for `hash`
//     list:                          # user rules, each: name?, when?, and exactly one action
//       - name: health checks
//         when: {url: /health}
//         drop: health check
//     detect: ...                    # read by rules/detect (line classification), ignored here
//
// Order of execution: express-noise, areas, group-by-route, the user's list, then secrets last
// (so that whatever earlier rules put into the event — tags, user, fingerprint — is scrubbed too,
// and a user's own scrub of a field, e.g. `hash`, takes precedence over the preset's mask).
//
// Everything is checked at compile time (unknown keys with a "did you mean", bad paths, bad RE2
// patterns, a missing hash key, ...), each problem reported as `file:line:col: path: what`, all of
// them in one message separated by newlines (base/yaml_reader.h). A compiled RuleSet is immutable
// and cheap to copy (shared); it may be used by several RuleEngines on several threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/environment.h"
#include "base/status.h"

namespace faultline::yaml {
class Node;
class Reader;
}  // namespace faultline::yaml

namespace faultline::rules {

using Getenv = faultline::Getenv;

// The preset directory this build was configured with (the source tree's rules/presets).
std::string default_presets_dir();

struct CompileOptions {
  // Empty (the default): the presets built into the binary, so that what an installed faultline
  // scrubs cannot be changed by files on the host. A directory (default_presets_dir() in tests and
  // development) reads the preset files from there; a file missing there falls back to the
  // built-in copy.
  std::string presets_dir;
  // The environment, for the `hash` key. Null: the process environment.
  Getenv getenv;
};

class RuleSet {
 public:
  // Compiles `rules_section`, the node under `rules:` (missing or null: the default presets).
  // Every problem is recorded in `reader` (base/yaml_reader.h), whose file name the messages use;
  // nullopt when this compile found one. Never throws.
  static std::optional<RuleSet> compile(yaml::Reader& reader, const yaml::Node& rules_section,
                                        const CompileOptions& options = {});
  // Parses `yaml` with base/yaml_reader.h's limits and compiles its `rules:` section (other
  // top-level keys are not looked at); every problem in one Status. For tests and tools.
  static Result<RuleSet> compile_text(std::string_view yaml, std::string_view file_name,
                                      const CompileOptions& options = {});
  // What a configuration without a `rules:` section gets: the default presets.
  static Result<RuleSet> defaults(const CompileOptions& options = {});

  // The presets that are on, in execution order.
  const std::vector<std::string>& presets() const;
  // One label per compiled rule, in execution order, e.g. `preset secrets: sensitive keys and
  // values` or `"payments" (rules.list[0])`.
  std::vector<std::string> labels() const;
  size_t size() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit RuleSet(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace faultline::rules
