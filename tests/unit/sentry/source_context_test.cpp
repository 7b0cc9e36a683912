#include "agent/sentry/source_context.h"

#include <catch2/catch.hpp>

#include "agent/sentry/event_builder.h"
#include "unit/sentry/source_test_dir.h"

using faultline::Counter;
using faultline::json::Array;
using faultline::json::Value;
using faultline::sentry::context_text;
using faultline::sentry::EventBuilder;
using faultline::sentry::EventSettings;
using faultline::sentry::Incident;
using faultline::sentry::KeptLine;
using faultline::sentry::SourceOptions;
using faultline::sentry::test::SourceDir;

namespace {

constexpr const char* kId = "85314830-023f-4cf1-a267-535f4e37bb17";

// Lines "line 1" ... "line N", each with a newline.
std::string numbered(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) out += "line " + std::to_string(i) + "\n";
  return out;
}

// An error record whose stack has one frame per "function (path:line:col)".
std::string record(const std::vector<std::string>& frames) {
  std::string stack = "Error: boom";
  for (const std::string& f : frames) stack += "\\n    at " + f;
  return R"({"level":50,"time":1700000000000,"msg":"failed","err":{"type":"Error","message":"boom","stack":")" +
         stack + R"("}})";
}

Value build(const std::string& line, const SourceOptions& sources) {
  EventSettings settings;
  settings.sdk_version = "0.0.0";
  settings.sources = sources;
  Incident incident;
  incident.source_key = "k";
  incident.error = KeptLine{line, 0, 1, false};
  auto event = EventBuilder(settings).build(incident);
  REQUIRE(event.ok());
  return std::move(event).value();
}

// The frames of the logged error, oldest first (the last one threw).
const Array& frames(const Value& event) {
  return event.find_path("exception.values")
      ->as_array()
      .back()
      .find_path("stacktrace.frames")
      ->as_array();
}

std::vector<std::string> strings(const Value* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const Value& s : v->as_array()) out.push_back(s.as_string());
  return out;
}

}  // namespace

TEST_CASE("source context: lines around in-app frames, first and last lines of a file included",
          "[source_context]") {
  SourceDir dir;
  dir.write("dist/a.js", numbered(20));
  SourceOptions options{{dir.path()}, {{"/app", dir.path()}}, "", 5, 1000, 1024 * 1024, {}};
  const Value e = build(record({"top (/app/dist/a.js:1:1)", "middle (/app/dist/a.js:10:3)",
                                "bottom (/app/dist/a.js:20:2)"}),
                        options);
  const Array& f = frames(e);
  REQUIRE(f.size() == 3);
  // Oldest first: bottom is line 20, the last line of the file.
  const Value& last = f[0];
  CHECK(strings(last.find("pre_context")) ==
        std::vector<std::string>{"line 15", "line 16", "line 17", "line 18", "line 19"});
  CHECK(last.find("context_line")->as_string() == "line 20");
  CHECK(strings(last.find("post_context")).empty());
  CHECK(last.find("post_context")->is_array());  // present and empty, as the SDK sends it
  const Value& middle = f[1];
  CHECK(strings(middle.find("pre_context")) ==
        std::vector<std::string>{"line 5", "line 6", "line 7", "line 8", "line 9"});
  CHECK(middle.find("context_line")->as_string() == "line 10");
  CHECK(strings(middle.find("post_context")) ==
        std::vector<std::string>{"line 11", "line 12", "line 13", "line 14", "line 15"});
  const Value& first = f[2];
  CHECK(strings(first.find("pre_context")).empty());
  CHECK(first.find("context_line")->as_string() == "line 1");
  CHECK(strings(first.find("post_context")).size() == 5);
  // Without url_prefix the frame keeps its path as logged, and the file has no debug id.
  CHECK(first.find("abs_path")->as_string() == "/app/dist/a.js");
  CHECK(e.find("debug_meta") == nullptr);

  options.context_lines = 2;
  const Value two = build(record({"f (/app/dist/a.js:2:1)"}), options);
  CHECK(strings(frames(two)[0].find("pre_context")) == std::vector<std::string>{"line 1"});
  CHECK(strings(frames(two)[0].find("post_context")) ==
        std::vector<std::string>{"line 3", "line 4"});
}

TEST_CASE("source context: none for minified code, library frames and lines past the end",
          "[source_context]") {
  SourceDir dir;
  const std::string minified = "var a=1;" + std::string(5000, 'x') + "\n";
  dir.write("dist/bundle.js", "// header\n" + minified + "// footer\n");
  dir.write("dist/app.min.js", numbered(3));
  dir.write("node_modules/lib/i.js", numbered(30));
  dir.write("dist/short.js", numbered(3));
  const SourceOptions options{{dir.path()}, {}, "", 5, 1000, 1024 * 1024, {}};
  const std::string root = dir.path();
  const Value e = build(record({"a (" + root + "/dist/bundle.js:2:4000)",  // column past the bound
                                "b (" + root + "/dist/bundle.js:2:10)",    // line past the bound
                                "c (" + root + "/dist/app.min.js:1:1)",    // named minified
                                "d (" + root + "/node_modules/lib/i.js:5:1)",  // not in app
                                "e (" + root + "/dist/short.js:9:1)",  // the file changed since
                                "f (" + root + "/dist/bundle.js:1:2)"}),
                        options);
  const Array& f = frames(e);
  REQUIRE(f.size() == 6);
  for (size_t i = 1; i < f.size(); ++i) {
    INFO(f[i].find("function")->as_string());
    CHECK(f[i].find("context_line") == nullptr);
    CHECK(f[i].find("pre_context") == nullptr);
  }
  // The line next to a minified one is snipped like the SDK's snipLine.
  REQUIRE(f[0].find("context_line") != nullptr);
  CHECK(f[0].find("context_line")->as_string() == "// header");
  const std::vector<std::string> post = strings(f[0].find("post_context"));
  REQUIRE(post.size() == 2);
  CHECK(post[0] == "var a=1;" + std::string(132, 'x') + " {snip}");
  CHECK(post[1] == "// footer");
}

TEST_CASE("source context: an event's source lines are bounded, nearest the throw first",
          "[source_context]") {
  SourceDir dir;
  std::string text;
  for (int i = 1; i <= 200; ++i) text += std::to_string(i) + std::string(200, 'x') + "\n";
  dir.write("a.js", text);
  std::vector<std::string> stack;
  for (int i = 0; i < 60; ++i)
    stack.push_back("f" + std::to_string(i) + " (" + dir.file("a.js") + ":" +
                    std::to_string(100 - i) + ":1)");
  const Value e =
      build(record(stack), SourceOptions{{dir.path()}, {}, "", 5, 1000, 1024 * 1024, {}});
  const Array& f = frames(e);
  REQUIRE(f.size() == 50);                          // the SDK's frame limit
  CHECK(f.back().find("context_line") != nullptr);  // the frame that threw
  CHECK(f.front().find("context_line") == nullptr);
  size_t bytes = 0, with = 0;
  for (const Value& frame : f) {
    if (frame.find("context_line") == nullptr) continue;
    ++with;
    bytes += frame.find("context_line")->as_string().size();
    for (const char* key : {"pre_context", "post_context"}) {
      for (const Value& line : frame.find(key)->as_array()) bytes += line.as_string().size();
    }
  }
  CHECK(bytes <= 64 * 1024);
  CHECK(with >= 30);
  CHECK(with < 50);
}

TEST_CASE("source context: snipped lines stay valid UTF-8", "[source_context]") {
  CHECK(context_text("short") == "short");
  CHECK(context_text(std::string(150, 'a')) == std::string(150, 'a'));
  CHECK(context_text(std::string(151, 'a')) == std::string(140, 'a') + " {snip}");
  // 139 ASCII bytes then "é" (2 bytes) straddling the cut: the character is left out whole.
  CHECK(context_text(std::string(139, 'a') + "\xC3\xA9" + std::string(20, 'b')) ==
        std::string(139, 'a') + " {snip}");
  CHECK(context_text("bad \xFF byte") == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("source context: debug ids become debug_meta images, once per file, after url_prefix",
          "[source_context]") {
  SourceDir dir;
  const std::string tail = std::string("//# debugId=") + kId + "\n//# sourceMappingURL=a.js.map\n";
  dir.write("dist/a.js", numbered(10) + tail);
  dir.write("dist/b.js", numbered(10));  // no debug id
  dir.write("node_modules/lib/i.js",
            numbered(3) + "//# debugId=11111111-2222-3333-4444-555555555555\n");
  Counter read, unreadable;
  const SourceOptions options{{dir.path()}, {{"/app", dir.path()}}, "app:///", 5, 1000,
                              1024 * 1024,  {&read, &unreadable}};
  const Value e = build(
      record({"x (/app/dist/a.js:3:1)", "y (/app/node_modules/lib/i.js:2:1)",
              "z (/app/dist/b.js:4:1)", "w (/app/dist/a.js:7:1)", "v (/app/dist/missing.js:1:1)",
              "u (/usr/lib/node/x.js:1:1)", "t (node:internal/timers:1:1)"}),
      options);
  const Value* images = e.find_path("debug_meta.images");
  REQUIRE(images != nullptr);
  REQUIRE(images->as_array().size() == 2);
  // In the order the frames name the files (oldest frame first: w, then y).
  const Value& app = images->as_array()[0];
  CHECK(app.find("type")->as_string() == "sourcemap");
  CHECK(app.find("code_file")->as_string() == "app:///dist/a.js");
  CHECK(app.find("debug_id")->as_string() == kId);
  const Value& lib = images->as_array()[1];
  CHECK(lib.find("code_file")->as_string() == "app:///node_modules/lib/i.js");
  CHECK(lib.find("debug_id")->as_string() == "11111111-2222-3333-4444-555555555555");
  // Every frame under the app is rewritten, readable or not; the rest stay as logged.
  const Array& f = frames(e);
  REQUIRE(f.size() == 7);
  CHECK(f[0].find("filename")->as_string() == "node:internal/timers");
  CHECK(f[1].find("abs_path")->as_string() == "/usr/lib/node/x.js");
  CHECK(f[2].find("abs_path")->as_string() == "app:///dist/missing.js");
  CHECK(f[2].find("filename")->as_string() == "app:///dist/missing.js");
  CHECK(f[2].find("context_line") == nullptr);
  CHECK(f[6].find("abs_path")->as_string() == "app:///dist/a.js");
  CHECK(f[6].find("context_line")->as_string() == "line 3");
  CHECK(read.get() == 3);
  CHECK(unreadable.get() == 1);  // missing.js; the frames outside the roots are not looked at
}

TEST_CASE("source context: without roots the builder leaves frames alone", "[source_context]") {
  SourceDir dir;
  dir.write("a.js", numbered(3) + "//# debugId=" + kId + "\n");
  const Value e = build(record({"f (" + dir.file("a.js") + ":2:1)"}), SourceOptions{});
  CHECK(frames(e)[0].find("context_line") == nullptr);
  CHECK(e.find("debug_meta") == nullptr);
}
