// Reads `rules.detect.include` / `rules.detect.exclude`: lists of conditions on hot fields
//   - {name: slow-checkout, level: warn, message: "timeout", has: [orderId],
//      status: "500-599", match: {"req.url": "^/api/pay"}}
// Patterns are RE2 and compiled here, so a bad one is reported at load with its position.
#pragma once

#include "agent/config/config.h"
#include "agent/config/yaml_reader.h"

namespace faultline::config {

Status read_detect_rules(Config& config, const YAML::Node& list, const YamlReader& reader,
                         std::string_view path, std::vector<rules::DetectRule>& out);

// Registers the collected detect fields in `schema` and turns the rules' field indexes into slots.
Status bind_detect_fields(Config& config, RecordSchema& schema);

}  // namespace faultline::config
