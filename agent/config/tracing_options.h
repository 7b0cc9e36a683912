// The appliers of the `tracing:` keys (docs/tracing.md), for the option table (options.h): each
// reads one value into Config::tracing, compiling globs and RE2 patterns at load, and records a
// problem in the reader with the value's file, line and column, leaving the default.
#pragma once

#include <string>
#include <string_view>

#include "agent/config/config.h"
#include "base/yaml_reader.h"

namespace faultline::config {

// tracing.sample_rate: a number from 0 to 1.
void read_trace_sample_rate(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p);
// tracing.respect_parent: a boolean.
void read_trace_respect_parent(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p);
// tracing.routes: [{route: GLOB | [GLOB...], sample_rate: N} | {regex: RE2, sample_rate: N}].
void read_trace_routes(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p);
// tracing.url_patterns: [RE2 | {pattern: RE2, placeholder: ":name"}].
void read_trace_url_patterns(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p);

// For `check`: "off", or "sample_rate 0.1, 2 route rules, respect_parent".
std::string tracing_summary(const Tracing& tracing);

}  // namespace faultline::config
