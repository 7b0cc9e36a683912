// Compiles the `rules.detect` section of the configuration into detector.h's DetectOptions:
//
//   rules:
//     detect:
//       min_level: error          # err_floor: warn, status_5xx: true, job_retries: false
//       include:                  # and exclude: lists of rules whose conditions must all hold
//         - {name: slow-checkout, level: warn, max_level: error, message: "timeout",
//            has: [orderId], status: "500-599", match: {"req.url": "^/api/pay"}}
//
// Patterns are RE2 and compiled here, so a bad one is reported at load with its position, like
// every other problem (through the yaml::Reader, all of them, not just the first). The record
// fields rules read are collected by path: until bind_detect_fields() registers them in the
// RecordSchema, a rule's slots are indexes into that list.
//
// Used only while loading; not thread-safe (it fills the caller's objects).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/yaml_reader.h"
#include "parsers/pino_record.h"
#include "rules/detect/detector.h"

namespace faultline::rules {

// Reads the `rules.detect` mapping at `path` (missing or null: the defaults stay). Problems are
// recorded in `r`; returns false when there was one.
bool compile_detect(yaml::Reader& r, const yaml::Node& section, std::string_view path,
                    DetectOptions& options, std::vector<std::string>& fields);

// Registers `fields` in `schema` and turns the rules' field indexes into the schema's slots.
Status bind_detect_fields(const std::vector<std::string>& fields, RecordSchema& schema,
                          DetectOptions& options);

}  // namespace faultline::rules
