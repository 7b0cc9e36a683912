// The one declarative table of configuration keys: path, type, default, help and how to apply a
// value. The loader walks YAML with it (unknown keys are errors), `check` validates with it, and a
// test holds docs/configuration.md and config.example.yaml to it, so the three cannot drift apart.
// Immutable; safe to read from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "agent/config/config.h"
#include "base/yaml_reader.h"

namespace faultline::config {

struct Option {
  std::string_view path;  // dotted, e.g. "correlation.hold"
  std::string_view type;  // for docs: "duration", "size", "string", "list", …
  std::string_view default_text;
  std::string_view help;
  // Reads `value` into `config`; a problem is recorded in `reader` and leaves the default. Null
  // for the keys under `rules:`, which the rule compilers read with the rest of that section
  // (rules/rule_set.h, rules/detect/detect_compiler.h).
  void (*apply)(Config& config, const yaml::Node& value, yaml::Reader& reader,
                std::string_view path);
};

const std::vector<Option>& options();

// Top-level sections that exist for later use but have no keys yet (any key in them is an error).
const std::vector<std::string_view>& reserved_sections();

// "scheme://[user[:password]@]host[:port][/]" with a scheme libcurl takes for a proxy (http, https,
// socks4, socks4a, socks5, socks5h), a host and no spaces.
bool valid_proxy_url(std::string_view url);

}  // namespace faultline::config
