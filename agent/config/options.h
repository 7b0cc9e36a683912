// The one declarative table of configuration keys: path, type, default, help and how to apply a
// value. The loader walks YAML with it (unknown keys are errors), `check` validates with it, and a
// test holds docs/configuration.md and config.example.yaml to it, so the three cannot drift apart.
#pragma once

#include <string_view>
#include <vector>

#include "agent/config/config.h"
#include "agent/config/yaml_reader.h"

namespace faultline::config {

struct Option {
  std::string_view path;  // dotted, e.g. "correlation.hold"
  std::string_view type;  // for docs: "duration", "size", "string", "list", …
  std::string_view default_text;
  std::string_view help;
  Status (*apply)(Config& config, const YAML::Node& value, const YamlReader& reader,
                  std::string_view path);
};

const std::vector<Option>& options();

// Top-level sections that exist for later use but have no keys yet (any key in them is an error).
const std::vector<std::string_view>& reserved_sections();

}  // namespace faultline::config
