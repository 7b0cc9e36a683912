#include "base/path_prefix.h"

#include <catch2/catch.hpp>

using faultline::normal_path;
using faultline::path_below;
using faultline::path_within;

TEST_CASE("path_prefix: normal form of absolute paths", "[path_prefix]") {
  CHECK(normal_path("/a//b/./c/../d/") == "/a/b/d");
  CHECK(normal_path("/") == "/");
  CHECK(normal_path("//") == "/");
  CHECK(normal_path("/../../etc/passwd") == "/etc/passwd");
  CHECK(normal_path("/app/../..") == "/");
  CHECK(normal_path("/app/..hidden/x") == "/app/..hidden/x");
  CHECK_FALSE(normal_path("app/a.js"));
  CHECK_FALSE(normal_path(""));
  CHECK_FALSE(normal_path("node:internal/x"));
}

TEST_CASE("path_prefix: within a directory, component by component", "[path_prefix]") {
  CHECK(path_within("/app/a.js", "/app"));
  CHECK(path_within("/app", "/app"));
  CHECK_FALSE(path_within("/apple/a.js", "/app"));
  CHECK_FALSE(path_within("/ap", "/app"));
  CHECK(path_within("/anything", "/"));
  CHECK_FALSE(path_within("relative", "/"));
  CHECK(path_below("/app/dist/a.js", "/app") == "dist/a.js");
  CHECK(path_below("/app", "/app") == "");
  CHECK(path_below("/x/y", "/") == "x/y");
  CHECK_FALSE(path_below("/apple", "/app"));
}
