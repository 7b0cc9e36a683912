// The `sources:` section: what it accepts, and the file:line:col messages for what it does not.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "agent/config/loader.h"

using faultline::config::load_text;

namespace {

std::optional<std::string> no_env(std::string_view) {
  return std::nullopt;
}

struct AppDir {
  AppDir() {
    std::string pattern = "/tmp/faultline-sources-cfg-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
    std::filesystem::create_directories(path + "/app/dist");
    std::ofstream(path + "/file.js") << "x\n";
  }
  ~AppDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

std::string error_of(const std::string& yaml) {
  auto c = load_text(yaml, "faultline.yaml", no_env);
  REQUIRE_FALSE(c.ok());
  return c.message();
}

}  // namespace

TEST_CASE("sources: off by default, every key read when set", "[config][sources]") {
  auto off = load_text("", "faultline.yaml", no_env);
  REQUIRE(off.ok());
  CHECK(off->sources.roots.empty());
  CHECK(off->sources.context_lines == 5);
  CHECK(off->sources.max_line_length == 1000);
  CHECK(off->sources.cache_bytes == 16u * 1024 * 1024);

  AppDir dir;
  auto c = load_text(
      "sources:\n"
      "  roots: [" +
          dir.path + "/app/, " + dir.path +
          "//app/./dist]\n"
          "  path_map: {/app/: " +
          dir.path + "/app, /srv/x: " + dir.path +
          "/app/dist}\n"
          "  url_prefix: app:///\n"
          "  context_lines: 7\n"
          "  max_line_length: 500\n"
          "  cache_bytes: 1MiB\n",
      "faultline.yaml", no_env);
  INFO(c.message());
  REQUIRE(c.ok());
  CHECK(c->sources.roots == std::vector<std::string>{dir.path + "/app", dir.path + "/app/dist"});
  REQUIRE(c->sources.path_map.size() == 2);
  CHECK(c->sources.path_map[0].first == "/app");
  CHECK(c->sources.path_map[0].second == dir.path + "/app");
  CHECK(c->sources.url_prefix == "app:///");
  CHECK(c->sources.context_lines == 7);
  CHECK(c->sources.max_line_length == 500);
  CHECK(c->sources.cache_bytes == 1024 * 1024);
}

TEST_CASE("sources: roots must be existing absolute directories", "[config][sources]") {
  AppDir dir;
  CHECK(error_of("sources:\n  roots: [app/dist]\n") ==
        "faultline.yaml:2:11: sources.roots[0]: expected a directory (an absolute path such as "
        "\"/srv/app\"), got \"app/dist\"");
  CHECK(error_of("sources:\n  roots: [" + dir.path + "/missing]\n") ==
        "faultline.yaml:2:11: sources.roots[0]: cannot use " + dir.path +
            "/missing: No such file or directory");
  CHECK(error_of("sources:\n  roots: " + dir.path + "/file.js\n") ==
        "faultline.yaml:2:10: sources.roots: " + dir.path +
            "/file.js is not a directory: expected the app's directory");
}

TEST_CASE("sources: path_map and url_prefix are checked against roots", "[config][sources]") {
  AppDir dir;
  CHECK(error_of("sources:\n  path_map: {/app: /mnt/app}\n") ==
        "faultline.yaml:2:13: sources.path_map: has no effect without sources.roots (the "
        "directories faultline may read)");
  CHECK(error_of("sources:\n  url_prefix: app:///\n") ==
        "faultline.yaml:2:15: sources.url_prefix: has no effect without sources.roots (the "
        "directories faultline may read)");
  CHECK(error_of("sources:\n  roots: [" + dir.path + "/app]\n  path_map: {/app: /mnt/app}\n") ==
        "faultline.yaml:3:13: sources.path_map: /app maps to /mnt/app, which is under none of "
        "sources.roots: nothing there would be read");
  CHECK(error_of("sources:\n  roots: [" + dir.path + "/app]\n  path_map: {app: " + dir.path +
                 "/app}\n") ==
        "faultline.yaml:3:14: sources.path_map: expected a path prefix as the logs write it (an "
        "absolute path such as \"/srv/app\"), got \"app\"");
  CHECK(error_of("sources:\n  roots: [" + dir.path + "/app]\n  path_map: [/app]\n") ==
        "faultline.yaml:3:13: sources.path_map: expected a mapping of path prefixes, in the logs "
        "to on this host, such as {/app: /mnt/app}, got a list");
  CHECK(error_of("sources:\n  roots: [" + dir.path + "/app]\n  url_prefix: \"app:\"\n") ==
        "faultline.yaml:3:15: sources.url_prefix: expected a prefix ending in \"/\" without "
        "spaces, such as \"app:///\", got \"app:\"");
  CHECK(error_of("sources:\n  context_lines: 500\n").find("sources.context_lines") !=
        std::string::npos);
  CHECK(error_of("sources:\n  rootz: []\n").find("unknown key (did you mean \"roots\"?)") !=
        std::string::npos);
}
