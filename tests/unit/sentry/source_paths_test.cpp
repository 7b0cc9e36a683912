#include "agent/sentry/source_paths.h"

#include <catch2/catch.hpp>

using faultline::sentry::SourcePaths;

TEST_CASE("source paths: frames through path_map, confined to the roots", "[source_paths]") {
  const SourcePaths paths({"/mnt/app", "/opt/lib"},
                          {{"/app", "/mnt/app"}, {"/app/vendor", "/opt/lib/vendor"}}, "");
  CHECK(paths.host_path("/app/dist/a.js") == "/mnt/app/dist/a.js");
  CHECK(paths.host_path("/app/vendor/x.js") == "/opt/lib/vendor/x.js");  // longest prefix wins
  CHECK(paths.host_path("/mnt/app/b.js") == "/mnt/app/b.js");            // already a host path
  CHECK(paths.host_path("/opt/lib/c.js") == "/opt/lib/c.js");
  CHECK_FALSE(paths.host_path("/apple/a.js"));
  CHECK_FALSE(paths.host_path("/usr/lib/node_modules/npm/index.js"));
  CHECK_FALSE(paths.host_path("/app/../etc/passwd"));  // ".." is resolved before the check
  CHECK_FALSE(paths.host_path("node:internal/process/task_queues"));
  CHECK_FALSE(paths.host_path("dist/a.js"));
  CHECK_FALSE(paths.url("/app/dist/a.js"));  // no url_prefix
}

TEST_CASE("source paths: url_prefix replaces the prefix as logged", "[source_paths]") {
  const SourcePaths mapped({"/mnt/app"}, {{"/app", "/mnt/app"}}, "app:///");
  CHECK(mapped.url("/app/dist/a.js") == "app:///dist/a.js");
  CHECK(mapped.url("/app/node_modules/x/i.js") == "app:///node_modules/x/i.js");
  CHECK_FALSE(mapped.url("/usr/lib/x.js"));
  CHECK_FALSE(mapped.url("node:internal/x"));
  const SourcePaths same_host({"/srv/app", "/srv/app/dist"}, {}, "~/");
  CHECK(same_host.url("/srv/app/dist/a.js") == "~/a.js");  // the longest root
  CHECK(same_host.url("/srv/app/server.js") == "~/server.js");
}
