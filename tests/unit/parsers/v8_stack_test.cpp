// parse_v8_frames() on real stacks (from tests/data/pino) and on every form of SENTRY-PROTOCOL.md
// §4. Expected values are what @sentry/node 11.12.0 produces for the same lines (the parity test
// checks the same against the SDK itself).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "parsers/json.h"
#include "parsers/v8_stack.h"

using faultline::parse_v8_frames;
using faultline::StackFrame;
using faultline::StackOptions;

namespace {

// One expected frame; in_app: -1 absent, 0 false, 1 true.
struct Want {
  std::string function, module, filename;
  int lineno = 0, colno = 0, in_app = 1;
};

void check(std::string_view stack, const std::string& app_root, const std::vector<Want>& want) {
  StackOptions options;
  options.app_root = app_root;
  const std::vector<StackFrame> got = parse_v8_frames(stack, options);
  INFO("stack: " << stack);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("frame " << i << " (oldest first)");
    CHECK(got[i].function == want[i].function);
    CHECK(got[i].module == want[i].module);
    CHECK(got[i].filename == want[i].filename);
    CHECK(got[i].abs_path == want[i].filename);
    CHECK(got[i].lineno == want[i].lineno);
    CHECK(got[i].colno == want[i].colno);
    const std::optional<bool> in_app =
        want[i].in_app < 0 ? std::nullopt : std::optional<bool>(want[i].in_app == 1);
    CHECK(got[i].in_app == in_app);
  }
}

const std::string kApp = "/tmp/pinolab";

}  // namespace

TEST_CASE("v8_stack: real pino stacks, oldest frame first", "[v8_stack]") {
  // a-default.ndjson, the KnexTimeoutError (a renamed plain Error) thrown in an Express route.
  check(
      "KnexTimeoutError: timeout acquiring a connection. The pool is probably full.\n"
      "    at /tmp/pinolab/app.js:391:15\n"
      "    at Layer.handleRequest (/tmp/pinolab/node_modules/router/lib/layer.js:169:33)\n"
      "    at processParams (/tmp/pinolab/node_modules/router/index.js:619:12)",
      kApp,
      {{"processParams", "router:index", "/tmp/pinolab/node_modules/router/index.js", 619, 12, 0},
       {"Layer.handleRequest", "router.lib:layer", "/tmp/pinolab/node_modules/router/lib/layer.js",
        169, 33, 0},
       {"?", "app", "/tmp/pinolab/app.js", 391, 15, 1}});
  // e-edge-cases.ndjson, the innermost cause of the folded ECONNREFUSED chain.
  check(
      "Error: connect ECONNREFUSED 127.0.0.1:1\n"
      "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)",
      kApp, {{"TCPConnectWrap.afterConnect [as oncomplete]", "node:net", "node:net", 1611, 16, 0}});
  // undici's fetch: a frame without a function, and an async frame.
  check(
      "TypeError: fetch failed\n"
      "    at node:internal/deps/undici/undici:14976:13\n"
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
      "    at async main (/tmp/pinolab/e-edge-cases.js:37:9)",
      kApp,
      {{"main", "e-edge-cases", "/tmp/pinolab/e-edge-cases.js", 37, 9, 1},
       {"process.processTicksAndRejections", "task_queues", "node:internal/process/task_queues", 95,
        5, 0},
       {"?", "undici", "node:internal/deps/undici/undici", 14976, 13, 0}});
  // a-default.ndjson, Promise.any: "index N" locations and Socket.<anonymous>.
  check(
      "Error: sms gateway timeout\n"
      "    at Socket.<anonymous> (/tmp/pinolab/app.js:363:37)\n"
      "    at async Promise.any (index 0)\n"
      "    at JSON.parse (<anonymous>)",
      kApp,
      {{"JSON.parse", "<anonymous>", "<anonymous>", 0, 0, 0},
       {"Promise.any", "index 0", "index 0", 0, 0, 0},
       {"Socket.?", "app", "/tmp/pinolab/app.js", 363, 37, 1}});
  // a-default.stderr.txt: util.inspect appends " {" to the last frame of an error with
  // properties, so the SDK's function group does not match and the text joins the filename.
  check(
      "Error: x\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5) "
      "{",
      kApp,
      {{"?", "task_queues", "process.processTicksAndRejections (node:internal/process/task_queues",
        95, 5, 0}});
}

TEST_CASE("v8_stack: function names", "[v8_stack]") {
  check(
      "Error: x\n"
      "    at new Foo (/srv/app/lib/foo.js:3:9)\n"
      "    at Object.<anonymous> (/srv/app/index.js:1:7)\n"
      "    at Object.Module._extensions..js (node:internal/modules/cjs/loader:1422:10)\n"
      "    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:128:12)\n"
      "    at <anonymous>\n"
      "    at /srv/app/anon.js:5:5",
      "/srv/app",
      {{"?", "anon", "/srv/app/anon.js", 5, 5, 1},
       {"?", "<anonymous>", "<anonymous>", 0, 0, 0},
       {"Function.executeUserEntryPoint [as runMain]", "run_main", "node:internal/modules/run_main",
        128, 12, 0},
       {"Module._extensions..js", "loader", "node:internal/modules/cjs/loader", 1422, 10, 0},
       {"Object.?", "index", "/srv/app/index.js", 1, 7, 1},
       {"new Foo", "lib:foo", "/srv/app/lib/foo.js", 3, 9, 1}});
}

TEST_CASE("v8_stack: locations", "[v8_stack]") {
  SECTION("eval frames keep the whole eval location as the filename, as the SDK does") {
    check("Error: x\n    at eval (eval at <anonymous> (/app/b.js:1:1), <anonymous>:1:1)",
          "/srv/app",
          {{"eval", "b.js:1:1), <anonymous>", "eval at <anonymous> (/app/b.js:1:1), <anonymous>", 1,
            1, 0}});
  }
  SECTION("file:// URLs are stripped and percent-decoded; /C:/ loses its slash") {
    check(
        "Error: x\n"
        "    at main (file:///srv/app/sub/x%20y.mjs:3:9)\n"
        "    at mod (file:///C:/app/w.mjs:1:1)\n"
        "    at bad (file:///srv/app/bad%zz.js:1:1)",
        "/srv/app",
        {{"bad", "", "/srv/app/bad%zz.js", 1, 1, 1},
         {"mod", "w", "C:/app/w.mjs", 1, 1, 1},
         {"main", "sub:x y", "/srv/app/sub/x y.mjs", 3, 9, 1}});
  }
  SECTION("Windows paths, with a Windows app root") {
    check(
        "Error: x\n"
        "    at C:\\app\\w.js:1:1\n"
        "    at main (C:\\app\\lib\\m.js:2:3)\n"
        "    at lower (c:\\app\\x.js:1:1)",
        "C:\\app",
        {{"lower", "x", "c:\\app\\x.js", 1, 1, 0},
         {"main", "lib:m", "C:\\app\\lib\\m.js", 2, 3, 1},
         {"?", "w", "C:\\app\\w.js", 1, 1, 1}});
  }
  SECTION("a native frame borrows the filename of the frame that threw") {
    check(
        "Error: x\n    at /srv/app/top.js:1:1\n    at Array.map (native)", "/srv/app",
        {{"Array.map", "", "/srv/app/top.js", 0, 0, 0}, {"?", "top", "/srv/app/top.js", 1, 1, 1}});
  }
  SECTION("data: URIs name the mime type and carry no in_app") {
    check("Error: x\n    at fn (data:text/javascript,export%20default%201:1:2)", "/srv/app",
          {{"fn", "", "<data:text/javascript>", 0, 0, -1}});
  }
  SECTION("scheme URLs and relative paths are in-app; node_modules is not") {
    check(
        "Error: x\n"
        "    at a (app:///dist/bundle.js:1:1)\n"
        "    at b (./rel/z.js:2:2)\n"
        "    at c (/srv/app/node_modules/@scope/pkg/dist/index.cjs:3:3)",
        "/srv/app",
        {{"c", "@scope.pkg.dist:index", "/srv/app/node_modules/@scope/pkg/dist/index.cjs", 3, 3, 0},
         {"b", "z", "./rel/z.js", 2, 2, 1},
         {"a", "bundle", "app:///dist/bundle.js", 1, 1, 1}});
  }
  SECTION("CRLF line endings") {
    check("Error: x\r\n    at a (/srv/app/a.js:1:2)\r\n    at /srv/app/b.js:3:4\r", "/srv/app",
          {{"?", "b", "/srv/app/b.js", 3, 4, 1}, {"a", "a", "/srv/app/a.js", 1, 2, 1}});
  }
}

TEST_CASE("v8_stack: which lines are frames", "[v8_stack]") {
  SECTION("message continuation lines are not frames (the SDK would make two)") {
    check("Error: line one\nlook at this thing\n  see at (x)\n    at real (/srv/app/r.js:1:1)",
          "/srv/app", {{"real", "r", "/srv/app/r.js", 1, 1, 1}});
  }
  SECTION("the header line is skipped, unless the stack starts with a frame") {
    check("    at first (/srv/app/f.js:1:1)\n    at second (/srv/app/s.js:2:2)", "/srv/app",
          {{"second", "s", "/srv/app/s.js", 2, 2, 1}, {"first", "f", "/srv/app/f.js", 1, 1, 1}});
  }
  SECTION("a frame line containing \"Error: \" is skipped, as in the SDK") {
    check("Error: x\n    at h (/srv/app/Error: weird/x.js:1:1)\n    at ok (/srv/app/ok.js:1:1)",
          "/srv/app", {{"ok", "ok", "/srv/app/ok.js", 1, 1, 1}});
  }
  SECTION("Sentry's own frames are stripped, as in the SDK") {
    check(
        "Error: x\n"
        "    at Object.captureException (/srv/app/s.js:2:2)\n"
        "    at caller (/srv/app/c.js:3:3)\n"
        "    at sentryWrapped (/srv/app/h.js:4:4)",
        "/srv/app", {{"caller", "c", "/srv/app/c.js", 3, 3, 1}});
  }
  SECTION("no frames") {
    CHECK(parse_v8_frames("AggregateError: All promises were rejected").empty());
    CHECK(parse_v8_frames("").empty());
    CHECK(parse_v8_frames("\n\n\n").empty());
  }
  CHECK(faultline::is_frame_line("    at x (y.js:1:1)"));
  CHECK(faultline::is_frame_line("\tat x"));
  CHECK_FALSE(faultline::is_frame_line("at x (y.js:1:1)"));
  CHECK_FALSE(faultline::is_frame_line("    att x"));
  CHECK_FALSE(faultline::is_frame_line("look at this thing"));
}

TEST_CASE("v8_stack: the 50 most recent frames are kept, oldest first", "[v8_stack]") {
  std::string stack = "RangeError: Maximum call stack size exceeded";
  for (int i = 1; i <= 60; ++i) {
    stack += "\n    at f" + std::to_string(i) + " (/srv/app/deep.js:" + std::to_string(i) + ":1)";
  }
  const auto frames = parse_v8_frames(stack, {"/srv/app"});
  REQUIRE(frames.size() == 50);
  CHECK(frames.front().function == "f50");
  CHECK(frames.back().function == "f1");
  CHECK(frames.back().lineno == 1);
  StackOptions five{"/srv/app", 5};
  const auto few = parse_v8_frames(stack, five);
  REQUIRE(few.size() == 5);
  CHECK(few.front().function == "f5");
}

TEST_CASE("v8_stack: app root inference", "[v8_stack]") {
  const std::string stack =
      "Error: x\n"
      "    at handler (/srv/app/routes/orders.js:10:5)\n"
      "    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)\n"
      "    at main (/srv/app/app.js:3:1)\n"
      "    at node:internal/main/run_main_module:28:49";
  SECTION("the deepest directory holding every absolute in-app frame") {
    const auto frames = parse_v8_frames(stack);
    REQUIRE(frames.size() == 4);
    CHECK(frames[1].module == "app");
    CHECK(frames[2].module == "express.lib.router:layer");
    CHECK(frames[3].module == "routes:orders");
    const std::string_view stacks[] = {stack};
    CHECK(faultline::infer_app_root(stacks) == "/srv/app");
  }
  SECTION("a configured root wins; \"/\" means none") {
    CHECK(parse_v8_frames(stack, {"/srv"})[3].module == "app.routes:orders");
    CHECK(parse_v8_frames(stack, {"/srv/app/"})[3].module == "routes:orders");
    CHECK(parse_v8_frames(stack, {"/"})[3].module == "orders");
  }
  SECTION("over several stacks; nothing absolute and in-app gives no root") {
    const std::string_view stacks[] = {"Error: a\n    at f (/srv/app/lib/db/pool.js:1:1)",
                                       "Error: b\n    at g (/srv/app/lib/http.js:1:1)",
                                       "Error: c\n    at h (/srv/app/node_modules/x/i.js:1:1)"};
    CHECK(faultline::infer_app_root(stacks) == "/srv/app/lib");
    const std::string_view none[] = {
        "Error: a\n    at f (node:net:1:1)\n    at g (app:///x.js:1:1)",
        "Error: b\n    at h (/a.js:1:1)"};
    CHECK(faultline::infer_app_root(none).empty());
    const std::string_view windows[] = {"Error: a\n    at f (C:\\srv\\app\\x.js:1:1)",
                                        "Error: b\n    at g (C:\\srv\\app\\lib\\y.js:1:1)"};
    CHECK(faultline::infer_app_root(windows) == "C:\\srv\\app");
  }
  SECTION("several stacks parsed together name their modules from one root") {
    const std::string_view stacks[] = {"Error: a\n    at f (/srv/app/lib/db/pool.js:1:1)",
                                       "Error: b\n    at g (/srv/app/lib/http.js:2:2)"};
    std::string root;
    const auto frames = faultline::parse_v8_stacks(stacks, {}, &root);
    CHECK(root == "/srv/app/lib");
    REQUIRE(frames.size() == 2);
    REQUIRE(frames[0].size() == 1);
    REQUIRE(frames[1].size() == 1);
    CHECK(frames[0][0].module == "db:pool");  // alone, its own directory would be the root
    CHECK(frames[1][0].module == "http");
    CHECK(frames[1][0].lineno == 2);
    const auto configured = faultline::parse_v8_stacks(stacks, {"/srv/"}, &root);
    CHECK(root == "/srv/");
    CHECK(configured[0][0].module == "app.lib.db:pool");
  }
}

TEST_CASE("v8_stack: module names", "[v8_stack]") {
  using faultline::module_from_filename;
  CHECK(module_from_filename("/srv/app/routes/orders.js", "/srv/app") == "routes:orders");
  CHECK(module_from_filename("/srv/app/app.mjs", "/srv/app") == "app");
  CHECK(module_from_filename("/srv/app/a.ts", "/srv/app") == "a.ts");
  CHECK(module_from_filename("/srv/app/.js", "/srv/app") == ".js");
  CHECK(module_from_filename("/other/y.cjs", "/srv/app") == "y");
  CHECK(module_from_filename("/srv/app/node_modules/a/node_modules/b/lib/x.js", "/srv/app") ==
        "b.lib:x");
  CHECK(module_from_filename("/srv/app/node_modules/x.js", "/srv/app") == ":x");
  CHECK(module_from_filename("/srv/application/x.js", "/srv/app") == "ication:x");  // SDK quirk
  CHECK(module_from_filename("/srv/app/q%3Fx.js", "/srv/app") == "q?x");
  CHECK(module_from_filename("node:internal/process/task_queues", "/srv/app") == "task_queues");
  CHECK(module_from_filename("C:\\app\\lib\\m.js", "C:\\app") == "lib:m");
  CHECK(module_from_filename("C:\\app\\lib\\m.js", "") == "m");
  CHECK(module_from_filename("rel.js", "") == "rel");
  CHECK(module_from_filename("", "/srv/app").empty());
}

TEST_CASE("v8_stack: stack headers", "[v8_stack]") {
  using faultline::parse_stack_header;
  const auto header = [](std::string_view stack) {
    const auto h = parse_stack_header(stack);
    return h.type + "|" + h.message + "|" + h.code;
  };
  CHECK(header("TypeError: boom\n    at f (/a.js:1:1)") == "TypeError|boom|");
  CHECK(header("Error: 550 5.1.1 <x@example.invalid>: Recipient address rejected\n    at f") ==
        "Error|550 5.1.1 <x@example.invalid>: Recipient address rejected|");
  CHECK(header("Error: line one\nline two: more\n    at f (/a.js:1:1)") ==
        "Error|line one\nline two: more|");
  CHECK(header("AggregateError: All promises were rejected") ==
        "AggregateError|All promises were rejected|");
  CHECK(header("AggregateError") == "AggregateError||");
  CHECK(header("Error\n    at f (/a.js:1:1)") == "Error||");
  CHECK(header("Error [ERR_HTTP_HEADERS_SENT]: Cannot set headers\n    at f") ==
        "Error|Cannot set headers|ERR_HTTP_HEADERS_SENT");
  CHECK(header("Error [not a code]: x") == "Error [not a code]|x|");
  CHECK(header("something bad happened") == "|something bad happened|");
  CHECK(header("Error: x\r\n    at f") == "Error|x|");
  CHECK(header("    at f (/a.js:1:1)") == "||");
  CHECK(header("") == "||");
}

TEST_CASE("v8_stack: every stack in the fixtures gives one frame per at-line",
          "[v8_stack][fixtures]") {
  size_t stacks = 0;
  for (const char* file : {"a-default.ndjson", "e-edge-cases.ndjson"}) {
    std::ifstream in(std::string(FAULTLINE_DATA_DIR) + "/pino/" + file);
    REQUIRE(in.good());
    for (std::string line; std::getline(in, line);) {
      auto record = faultline::json::parse(line);
      if (!record.ok()) continue;
      const faultline::json::Value* stack = record->find_path("err.stack");
      if (stack == nullptr || !stack->is_string()) continue;
      std::string_view rest = stack->as_string();
      for (size_t cut; !rest.empty();
           rest = cut == std::string_view::npos ? "" : rest.substr(cut + 12)) {
        cut = rest.find("\ncaused by: ");
        const std::string_view segment = rest.substr(0, cut);
        size_t at_lines = 0;
        for (size_t p = segment.find("\n    at "); p != std::string_view::npos;
             p = segment.find("\n    at ", p + 1)) {
          ++at_lines;
        }
        INFO(segment);
        const auto frames = parse_v8_frames(segment, {kApp});
        CHECK(frames.size() == std::min<size_t>(at_lines, 50));
        for (const StackFrame& f : frames) CHECK_FALSE(f.function.empty());
        ++stacks;
      }
    }
  }
  CHECK(stacks > 100);
}

TEST_CASE("v8_stack: hostile input is bounded", "[v8_stack][hostile]") {
  const auto start = std::chrono::steady_clock::now();
  SECTION("10 MB of frame lines") {
    std::string stack = "Error: x";
    while (stack.size() < 10'000'000) stack += "\n    at f (/srv/app/a.js:1:1)";
    CHECK(parse_v8_frames(stack).size() == 50);
  }
  SECTION("8 MB of lines on which every alternative of the SDK's regex fails") {
    // Each " (" offers the function group a place to end and each "at " a place to start, so a
    // backtracking matcher tries (occurrences × candidates) alternatives per line.
    for (const std::string unit : {"at )", " ()at )"}) {
      std::string line = "\n    at )";
      while (line.size() < 1200) line += unit;
      std::string stack = "Error: x";
      while (stack.size() < 4'000'000) stack += line;
      CHECK(parse_v8_frames(stack).empty());
    }
  }
  SECTION("one 10 MB line") {
    std::string stack = "Error: x\n    at f (" + std::string(10'000'000, '/') + ":1:1)";
    const auto frames = parse_v8_frames(stack);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].filename.size() < 1100);
  }
  SECTION("binary junk between frames") {
    std::string stack = "Error: x";
    uint32_t seed = 1;
    for (int i = 0; i < 20; ++i) {
      stack += '\n';
      for (int j = 0; j < 50'000; ++j) {
        seed = seed * 1103515245u + 12345u;
        const char c = static_cast<char>(seed >> 24);
        stack += c == '\n' ? ' ' : c;
      }
      stack += "\n    at f" + std::to_string(i) + " (/srv/app/a.js:1:1)";
    }
    const auto frames = parse_v8_frames(stack);
    REQUIRE(frames.size() == 20);
    CHECK(frames.front().function == "f19");
    CHECK(faultline::parse_stack_header(stack).type == "Error");
  }
  // Linear work takes well under a second; a quadratic scan would take minutes.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
}
