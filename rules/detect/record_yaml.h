// Reads of record-shaped values from YAML, on top of base/yaml_reader: a pino level and a list of
// record key paths (the syntax of parsers/field_plan.h). They need parsers/, so they live above
// base/; the configuration loader (pino.*) and the detect compiler (rules.detect) both use them.
// Stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml_reader.h"

namespace faultline::rules {

// A level written as a pino label ("warn") or a number from 0 to 1000.
std::optional<int> read_level(yaml::Reader& r, const yaml::Node& n, std::string_view path);

// A key path or a list of them (`req.id`, `a["x.y"]`), each checked for its syntax. An empty list
// is allowed.
std::optional<std::vector<std::string>> read_key_paths(yaml::Reader& r, const yaml::Node& n,
                                                       std::string_view path);

}  // namespace faultline::rules
