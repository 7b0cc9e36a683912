// sources: debug ids and source context read from the app's files, through `replay --print`.
// The app directory is written here, with files as `sentry-cli sourcemaps inject` leaves them.
#include <catch2/catch.hpp>

#include <filesystem>

#include "parsers/json.h"
#include "support/process.h"

using namespace faultline::test;
using faultline::json::Value;

namespace {

constexpr const char* kServerId = "85314830-023f-4cf1-a267-535f4e37bb17";
constexpr const char* kLibId = "0d9e1c2b-3a4f-4e5d-8c7b-6a5f4e3d2c1b";
constexpr const char* kOutsideId = "ffffffff-0000-4000-8000-000000000000";

std::string injected(const std::string& code, const std::string& id) {
  return code + "//# debugId=" + id + "\n//# sourceMappingURL=" + "x.js.map\n";
}

// A pino error line whose stack names files under /srv/app, as the app's container sees them.
std::string error_line(const std::vector<std::string>& frames) {
  std::string stack = "TypeError: card declined";
  for (const std::string& f : frames) stack += "\\n    at " + f;
  return R"({"level":50,"time":1700000000000,"pid":1,"hostname":"h","msg":"payment failed","err":{"type":"TypeError","message":"card declined","stack":")" +
         stack + "\"}}\n";
}

// The app as the sidecar sees it: `app/` is what the logs call /srv/app.
struct App {
  TempDir dir;
  App() {
    for (const char* sub : {"app/dist", "app/node_modules/lib", "outside"}) {
      std::filesystem::create_directories(dir.file(sub));
    }
    dir.write("app/dist/server.js",
              injected("'use strict';\n"
                       "const stripe = require('stripe');\n"
                       "const client = stripe('sk_live_4eC39HqLyjWDarjtT1zdp7dc');\n"
                       "async function charge(order) {\n"
                       "  const result = await client.charges.create(order);\n"
                       "  if (!result.paid) throw new TypeError('card declined');\n"
                       "  return result;\n"
                       "}\n"
                       "module.exports = { charge };\n",
                       kServerId));
    dir.write("app/node_modules/lib/index.js", injected("module.exports = 1;\n", kLibId));
    dir.write("outside/secret.js", injected("const key = 'do not read';\n", kOutsideId));
    std::filesystem::create_symlink(dir.file("outside/secret.js"), dir.file("app/dist/link.js"));
    dir.write("faultline.yaml", "sources:\n  roots: [" + dir.file("app") +
                                    "]\n  path_map: {/srv/app: " + dir.file("app") +
                                    "}\n  url_prefix: app:///\n");
  }
};

Value replay_one(const std::string& log, const std::vector<std::string>& config) {
  std::vector<std::string> args = {"replay", "--print"};
  args.insert(args.end(), config.begin(), config.end());
  args.push_back(log);
  RunResult r = run_faultline({.args = args});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::vector<std::string> lines = split_lines(r.out);
  REQUIRE(lines.size() == 1);
  auto event = faultline::json::parse(lines[0]);
  REQUIRE(event.ok());
  return std::move(event).value();
}

const faultline::json::Array& frames_of(const Value& event) {
  return event.find_path("exception.values")
      ->as_array()
      .back()
      .find_path("stacktrace.frames")
      ->as_array();
}

std::string str(const Value* v) {
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

}  // namespace

TEST_CASE("sources: debug ids and source context from the app's files through path_map",
          "[sources]") {
  App app;
  const std::string log = app.dir.write(
      "app.log",
      error_line({"charge (/srv/app/dist/server.js:6:25)",
                  "Object.<anonymous> (/srv/app/node_modules/lib/index.js:1:1)",
                  "run (/srv/app/dist/link.js:1:1)", "boot (/srv/app/dist/missing.js:3:7)",
                  "process.processTicksAndRejections (node:internal/process/task_queues:95:5)"}));
  const Value event = replay_one(log, {"-c", app.dir.file("faultline.yaml")});

  // One image per file with a debug id, named as the frame is sent.
  const Value* images = event.find_path("debug_meta.images");
  REQUIRE(images != nullptr);
  REQUIRE(images->as_array().size() == 2);
  std::map<std::string, std::string> ids;
  for (const Value& image : images->as_array()) {
    CHECK(str(image.find("type")) == "sourcemap");
    ids[str(image.find("code_file"))] = str(image.find("debug_id"));
  }
  CHECK(ids == std::map<std::string, std::string>{{"app:///dist/server.js", kServerId},
                                                  {"app:///node_modules/lib/index.js", kLibId}});

  const auto& frames = frames_of(event);
  REQUIRE(frames.size() == 5);
  const Value& thrower = frames.back();
  CHECK(str(thrower.find("abs_path")) == "app:///dist/server.js");
  CHECK(str(thrower.find("filename")) == "app:///dist/server.js");
  CHECK(str(thrower.find("context_line")) ==
        "  if (!result.paid) throw new TypeError('card declined');");
  const Value* pre = thrower.find("pre_context");
  REQUIRE(pre != nullptr);
  REQUIRE(pre->as_array().size() == 5);
  CHECK(str(&pre->as_array()[0]) == "'use strict';");
  // The key hard-coded in the source is a secret all the same.
  CHECK(str(&pre->as_array()[2]).find("sk_live_") == std::string::npos);
  CHECK(str(&pre->as_array()[2]).find("[Filtered]") != std::string::npos);
  CHECK(faultline::json::to_string(event).find("4eC39HqLyjWDarjtT1zdp7dc") == std::string::npos);
  CHECK(str(thrower.find_path("post_context")) == "");  // an array, not a string
  REQUIRE(thrower.find("post_context")->as_array().size() == 5);

  // A symlink out of the roots is not followed, a missing file is fine: both frames are sent as
  // they are (paths rewritten), without context.
  const Value& link = frames[2];
  CHECK(str(link.find("abs_path")) == "app:///dist/link.js");
  CHECK(link.find("context_line") == nullptr);
  CHECK(faultline::json::to_string(event).find(kOutsideId) == std::string::npos);
  CHECK(faultline::json::to_string(event).find("do not read") == std::string::npos);
  const Value& missing = frames[1];
  CHECK(str(missing.find("abs_path")) == "app:///dist/missing.js");
  CHECK(missing.find("context_line") == nullptr);
  CHECK(str(frames[0].find("filename")) == "node:internal/process/task_queues");
  // Library code gets its debug id but no context (it is not in the app).
  CHECK(frames[3].find("context_line") == nullptr);
}

TEST_CASE("sources: off without sources.roots, events as before", "[sources]") {
  App app;
  const std::string log = app.dir.write(
      "app.log", error_line({"charge (" + app.dir.file("app/dist/server.js") + ":6:25)"}));
  const Value event = replay_one(log, {});
  CHECK(event.find("debug_meta") == nullptr);
  const auto& frames = frames_of(event);
  CHECK(frames.back().find("context_line") == nullptr);
  CHECK(str(frames.back().find("abs_path")) == app.dir.file("app/dist/server.js"));
}

TEST_CASE("sources: enriched events match Sentry's event schema", "[sources][peers]") {
  const std::string peers = source_dir() + "/tests/peers";
  if (!std::filesystem::exists(peers + "/node_modules/ajv")) {
    WARN("tests/peers/node_modules is missing: run `npm ci` in tests/peers");
    return;
  }
  App app;
  const std::string log = app.dir.write(
      "app.log", error_line({"charge (/srv/app/dist/server.js:6:25)",
                             "Object.<anonymous> (/srv/app/node_modules/lib/index.js:1:1)"}));
  const Value event = replay_one(log, {"-c", app.dir.file("faultline.yaml")});
  REQUIRE(event.find("debug_meta") != nullptr);
  const std::string events = app.dir.write("events.ndjson", faultline::json::to_string(event));
  RunResult v =
      run("/usr/bin/env", {.args = {"node", peers + "/validate_events.mjs", "--events", events}});
  INFO(v.out << v.err);
  CHECK(v.out.find("1 passed, 0 failed") != std::string::npos);
}
