// Readers of the `sources:` keys (the app's files faultline may read: docs/sources.md), for the
// option table, and the checks that need the whole section. Each records its problems in the
// reader as "file:line:col: sources.KEY: what was found and what was expected".
#pragma once

#include <string_view>

#include "agent/config/config.h"
#include "base/yaml_reader.h"

namespace faultline::config {

// sources.roots: absolute paths of existing directories, kept in normal form.
void read_source_roots(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view path);
// sources.path_map: {PREFIX_IN_LOGS: PREFIX_ON_THIS_HOST, ...}, both absolute.
void read_source_path_map(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view path);
// sources.url_prefix: a prefix ending in '/' ("app:///"), without spaces.
void read_source_url_prefix(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view path);

// After the whole file is read: path_map and url_prefix need roots, and every path_map target
// must lie under one of them (or nothing there would ever be read). `path_map_at` and
// `url_prefix_at` are where those keys are written (unknown marks when they are not).
void check_sources(const Sources& s, const yaml::Mark& path_map_at, const yaml::Mark& url_prefix_at,
                   yaml::Reader& r);

}  // namespace faultline::config
