// Plain-text errors in the pipeline (docs/sources.md): Node's crash reports and console.error dumps
// among the JSON lines become events, one event when the JSON log has the same failure, and the
// lines they hold keep an input's checkpoint back. Crash text from tests/data/plain/ (real Node
// 20).
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/loader.h"
#include "agent/outputs/event_sink.h"
#include "agent/pipeline/event_pairing.h"
#include "agent/pipeline/pipeline.h"
#include "base/clock.h"
#include "collecting_sink.h"

using namespace faultline;

namespace {

constexpr int64_t kT0 = 1'735'603'200'000;  // ms: a day before the fake clock's wall time

using test::CollectingSink;

// Lines [first, last] (1-based) of a file in tests/data.
std::vector<std::string> data_lines(const std::string& name, size_t first, size_t last) {
  std::ifstream in(std::string(FAULTLINE_DATA_DIR) + "/" + name);
  REQUIRE(in.good());
  std::vector<std::string> out;
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    if (++n >= first && n <= last) out.push_back(line);
  }
  REQUIRE(out.size() == last - first + 1);
  return out;
}

// node-crashes.stderr.txt: the TypeError thrown in a timer, and the async rejection with a cause.
std::vector<std::string> timer_crash() {
  return data_lines("plain/node-crashes.stderr.txt", 19, 29);
}
std::vector<std::string> cause_crash() {
  return data_lines("plain/node-crashes.stderr.txt", 42, 63);
}

struct Run {
  Run(const std::string& yaml, TimeBase time_base)
      : config(config_of(yaml)), pipeline(config, sink, metrics, clock, nullptr, time_base) {
    sources.push_back(pipeline.open_source("app.log"));
  }

  static config::Config config_of(const std::string& yaml) {
    auto c = config::load_text(yaml, "test.yaml",
                               [](std::string_view) { return std::optional<std::string>(); });
    REQUIRE(c.ok());
    return std::move(c).value();
  }

  void feed(const std::string& text, size_t source = 0) {
    // The reader wants simdjson's padding after a line, as the framer leaves it.
    buffer = text;
    buffer.resize(text.size() + 64, ' ');
    Line line;
    line.text = std::string_view(buffer.data(), text.size());
    line.offset = offsets[source];
    line.number = ++numbers[source];
    offsets[source] += text.size() + 1;
    pipeline.on_line(sources[source], line);
  }
  void feed(const std::vector<std::string>& lines, size_t source = 0) {
    for (const std::string& l : lines) feed(l, source);
  }
  void record(int64_t ms, const std::string& fields = R"("msg":"working")", size_t source = 0) {
    feed(R"({"level":30,"time":)" + std::to_string(kT0 + ms) + R"(,"pid":7,"hostname":"api-1",)" +
             fields + "}",
         source);
  }

  config::Config config;
  Metrics metrics;
  FakeClock clock;
  CollectingSink sink;
  Pipeline pipeline;
  std::vector<SourceId> sources;
  uint64_t offsets[2] = {0, 0};
  uint64_t numbers[2] = {0, 0};
  std::string buffer;
};

const json::Value& logged_exception(const json::Value& event) {
  const json::Value* values = event.find_path("exception.values");
  REQUIRE(values != nullptr);
  REQUIRE(!values->as_array().empty());
  return values->as_array().back();
}

std::string text(const json::Value* v) {
  REQUIRE(v != nullptr);
  return v->is_string() ? v->as_string() : json::to_string(*v);
}

const std::string kUncaught =
    R"J("level":60,"err":{"type":"Error","message":"db down","stack":"Error: db down\n    at main (/tmp/app/crash-async-cause.js:3:13)","code":"E_DB"},"msg":"uncaught exception")J";

}  // namespace

TEST_CASE("plain text: a crash report between JSON lines is a fatal, unhandled event",
          "[plain_text]") {
  Run run("", TimeBase::kRecordTime);
  run.record(0);
  run.feed(timer_crash());
  CHECK(run.sink.events.empty());  // it may be the crash of an uncaught line yet to come
  run.record(10'000);              // past the pairing window of record time
  REQUIRE(run.sink.events.size() == 1);
  const json::Value& event = run.sink.events[0];
  CHECK(text(event.find("level")) == "fatal");
  CHECK(text(event.find("logger")) == "node");
  const json::Value& ex = logged_exception(event);
  CHECK(text(ex.find("type")) == "TypeError");
  CHECK(text(ex.find("value")) == "Cannot read properties of undefined (reading 'total')");
  CHECK(ex.find_path("mechanism.handled")->as_bool() == false);
  CHECK(ex.find_path("stacktrace.frames")->as_array().size() == 4);
  // The time of the record before it: a replay's events depend on the input alone.
  CHECK(event.find("timestamp")->as_double() == static_cast<double>(kT0) / 1000);
  CHECK(text(event.find_path("contexts.runtime.version")) == "v20.20.2");
  CHECK(text(event.find_path("extra.faultline_plain_text.lines")) == "2-12");
  CHECK(run.metrics.plain_text_dumps.get() == 1);
  CHECK(run.metrics.plain_text_lines.get() == 11);
  CHECK(run.metrics.plain_text_events.get() == 1);
  CHECK(run.metrics.non_json_lines.get() == 0);
  CHECK(run.metrics.json_lines.get() == 2);
}

TEST_CASE("plain text: a console.error dump is an error event, handled", "[plain_text]") {
  Run run("", TimeBase::kRecordTime);
  run.record(0);
  run.feed(std::vector<std::string>{"Failed to charge: PaymentError: card declined",
                                    "    at charge (/srv/app/pay.js:10:11) {",
                                    "  code: 'E_CARD', declineCode: 'insufficient_funds'", "}"});
  run.pipeline.finish();
  REQUIRE(run.sink.events.size() == 1);
  const json::Value& event = run.sink.events[0];
  CHECK(text(event.find("level")) == "error");
  CHECK(text(event.find("logger")) == "console");
  CHECK(text(event.find_path("logentry.formatted")) == "Failed to charge:");
  const json::Value& ex = logged_exception(event);
  CHECK(text(ex.find("type")) == "PaymentError");
  CHECK(ex.find_path("mechanism.handled")->as_bool());
  // Own properties go where the JSON path puts them: the error's context, the code's tag.
  CHECK(text(event.find_path("contexts.PaymentError.declineCode")) == "insufficient_funds");
  CHECK(text(event.find("tags")->find("error.code")) == "E_CARD");
}

TEST_CASE("plain text: ordinary text makes no event and stays counted as non-JSON",
          "[plain_text]") {
  Run run("", TimeBase::kRecordTime);
  run.feed(std::vector<std::string>{"Server listening on port 3000", "Error: config missing",
                                    "using defaults", "  - retrying at 10:00", "GET / 500 - Error",
                                    ""});
  run.record(0);
  run.pipeline.finish();
  CHECK(run.sink.events.empty());
  CHECK(run.metrics.non_json_lines.get() == 6);
  CHECK(run.metrics.plain_text_dumps.get() == 0);
}

TEST_CASE("plain text: off for every input, or for one", "[plain_text]") {
  {
    Run run("detect:\n  plain_text: false\n", TimeBase::kRecordTime);
    run.feed(timer_crash());
    run.pipeline.finish();
    CHECK(run.sink.events.empty());
    CHECK(run.metrics.non_json_lines.get() == 11);
  }
  // `run` gives each file its input's setting.
  Run run("", TimeBase::kRecordTime);
  run.sources.push_back(run.pipeline.open_source("other.log"));
  run.pipeline.set_traits(run.sources[1], SourceTraits{.plain_text = false});
  run.feed(timer_crash(), 1);
  run.feed(timer_crash(), 0);
  run.pipeline.finish();
  CHECK(run.sink.events.size() == 1);
  CHECK(run.metrics.non_json_lines.get() == 11);
}

TEST_CASE("plain text: the uncaught line and the crash report make one event", "[plain_text]") {
  SECTION("the JSON line first, as uncaughtExceptionMonitor writes it") {
    Run run("", TimeBase::kRecordTime);
    run.record(0, kUncaught);
    CHECK(run.sink.events.empty());  // waits for the crash report
    run.feed(cause_crash());
    run.record(100);
    run.pipeline.finish();
    REQUIRE(run.sink.events.size() == 1);
    const json::Value& event = run.sink.events[0];
    // The dump's stack is the richer (a cause, 8 frames each): it replaces the logged one; the
    // record's own fields stay.
    const json::Array& values = event.find_path("exception.values")->as_array();
    REQUIRE(values.size() == 2);
    CHECK(text(values[0].find("value")) == "connect ECONNREFUSED 127.0.0.1:5432");
    CHECK(values[1].find_path("stacktrace.frames")->as_array().size() == 8);
    CHECK(values[1].find_path("mechanism.handled")->as_bool() == false);
    CHECK(text(event.find("level")) == "fatal");
    CHECK(text(event.find("server_name")) == "api-1");
    CHECK(text(event.find_path("logentry.formatted")) == "uncaught exception");
    CHECK(text(event.find_path("contexts.runtime.version")) == "v20.20.2");
    CHECK(event.find("timestamp")->as_double() == static_cast<double>(kT0) / 1000);
    CHECK(run.metrics.plain_text_merged.get() == 1);
    CHECK(run.metrics.plain_text_events.get() == 0);
  }
  SECTION("the crash report first; a bare fatal line without an error object") {
    Run run("", TimeBase::kRecordTime);
    run.record(0);
    run.feed(timer_crash());
    run.record(50, R"("level":60,"msg":"uncaught exception, exiting")");
    run.pipeline.finish();
    REQUIRE(run.sink.events.size() == 1);
    const json::Value& event = run.sink.events[0];
    CHECK(text(logged_exception(event).find("type")) == "TypeError");
    CHECK(logged_exception(event).find_path("mechanism.synthetic") == nullptr);
    CHECK(text(event.find_path("logentry.formatted")) == "uncaught exception, exiting");
    // The JSON line's event: its time and id.
    CHECK(event.find("timestamp")->as_double() == static_cast<double>(kT0 + 50) / 1000);
  }
  SECTION("too far apart: two events, in the order they were read") {
    Run run("", TimeBase::kRecordTime);
    run.record(0, kUncaught);
    run.record(20'000);
    run.feed(cause_crash());
    run.pipeline.finish();
    REQUIRE(run.sink.events.size() == 2);
    CHECK(text(run.sink.events[0].find("logger")) != "node");
    CHECK(text(run.sink.events[1].find("logger")) == "node");
    CHECK(run.metrics.plain_text_merged.get() == 0);
  }
}

TEST_CASE("plain text: a crash report waits for its line after another one has paired",
          "[plain_text]") {
  Run run("", TimeBase::kRecordTime);
  run.record(0);
  run.feed(timer_crash());
  run.record(50, R"("level":60,"msg":"uncaught exception, exiting")");
  run.feed(cause_crash());
  run.record(100, kUncaught);
  run.pipeline.finish();
  CHECK(run.sink.events.size() == 2);
  CHECK(run.metrics.plain_text_merged.get() == 2);
}

TEST_CASE("plain text: events keep their order while one waits for its pair", "[plain_text]") {
  Run run("", TimeBase::kRecordTime);
  run.record(0);
  run.feed(timer_crash());
  // A handled error with no request: it would leave at once, but not ahead of the crash.
  run.record(
      10,
      R"J("level":50,"err":{"type":"Error","message":"later","stack":"Error: later\n    at x (/a.js:1:1)"},"msg":"later")J");
  CHECK(run.sink.events.empty());
  run.record(10'000);
  REQUIRE(run.sink.events.size() == 2);
  CHECK(text(logged_exception(run.sink.events[0]).find("type")) == "TypeError");
  CHECK(text(logged_exception(run.sink.events[1]).find("value")) == "later");
}

TEST_CASE("plain text: held lines keep the checkpoint back, and live idleness ends a dump",
          "[plain_text]") {
  Run run("", TimeBase::kLive);
  run.record(0);
  const uint64_t dump_start = run.offsets[0];
  run.feed(
      std::vector<std::string>{"TypeError: x is not a function", "    at run (/srv/app/a.js:1:2)"});
  CHECK(run.pipeline.oldest_unsafe(run.sources[0]) == dump_start);  // not decided yet
  run.clock.advance(std::chrono::milliseconds(300));
  run.pipeline.on_idle();  // the app stopped writing: the dump is complete, its event waits
  CHECK(run.sink.events.empty());
  CHECK(run.pipeline.oldest_unsafe(run.sources[0]) == dump_start);
  run.clock.advance(std::chrono::seconds(6));
  run.pipeline.on_idle();
  CHECK(run.sink.events.size() == 1);
  CHECK(run.pipeline.oldest_unsafe(run.sources[0]) == std::nullopt);
}

TEST_CASE("plain text: the richer report wins, the other adds what it lacks", "[plain_text]") {
  const auto event = [](const std::string& text) {
    auto v = json::parse(text);
    REQUIRE(v.ok());
    return std::move(v).value();
  };
  // The JSON event has more frames; the dump adds its cause's properties and the code tag.
  json::Value logged = event(
      R"({"level":"error","exception":{"values":[{"type":"Error","value":"x","stacktrace":{"frames":[{},{},{}]},"mechanism":{"type":"faultline","handled":true}}]},"contexts":{"trace":{"trace_id":"t"}},"tags":{"level":"error"}})");
  const json::Value plain = event(
      R"({"level":"error","exception":{"values":[{"type":"Error","value":"x","stacktrace":{"frames":[{}]},"mechanism":{"type":"faultline","handled":true}}]},"contexts":{"Error":{"code":"E_X"}},"tags":{"error.code":"E_X"},"extra":{"faultline_plain_text":{"lines":"3-4"}}})");
  merge_plain_event(logged, plain);
  CHECK(logged.find_path("exception.values")
            ->as_array()[0]
            .find_path("stacktrace.frames")
            ->as_array()
            .size() == 3);
  CHECK(text(logged.find_path("contexts.Error.code")) == "E_X");
  CHECK(text(logged.find_path("contexts.trace.trace_id")) == "t");
  CHECK(text(logged.find("tags")->find("error.code")) == "E_X");
  CHECK(text(logged.find_path("extra.faultline_plain_text.lines")) == "3-4");
  CHECK(text(logged.find("level")) == "error");
}

TEST_CASE("plain text: per-input configuration", "[plain_text]") {
  const auto load = [](const std::string& yaml) {
    return config::load_text(yaml, "test.yaml",
                             [](std::string_view) { return std::optional<std::string>(); });
  };
  auto on = load("inputs:\n  - path: /var/log/a.log\n    detect: {plain_text: false}\n");
  REQUIRE(on.ok());
  CHECK(on->detect.plain_text);
  CHECK(on->inputs[0].plain_text == false);
  auto typo = load("inputs:\n  - path: /var/log/a.log\n    detect: {plain_txt: false}\n");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.message().find("test.yaml:3") != std::string::npos);
  CHECK(typo.message().find("plain_text") != std::string::npos);  // did you mean
  auto bad = load("detect:\n  plain_text: sometimes\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.message().find("detect.plain_text") != std::string::npos);
}

TEST_CASE("plain text: an event that waited meets the rules as of when it was built",
          "[plain_text]") {
  // Replay throttles by record time: the uncaught error of 9 s is in the window the error of 0 s
  // opened, as it would be had it not waited for a crash report until 20 s.
  Run run("rules:\n  list:\n    - throttle: {max: 1, window: 10s, by: [all]}\n",
          TimeBase::kRecordTime);
  run.record(
      0,
      R"J("level":50,"err":{"type":"Error","message":"first","stack":"Error: first\n    at x (/a.js:1:1)"},"msg":"first")J");
  REQUIRE(run.sink.events.size() == 1);
  run.record(9'000, kUncaught);
  run.record(20'000);
  CHECK(run.sink.events.size() == 1);
  CHECK(run.metrics.events_dropped_rules.get() == 1);
}

TEST_CASE("plain text: live, a dump ends 250 ms after its last line - the idle input's deadline",
          "[plain_text][idle]") {
  Run run("", TimeBase::kLive);
  run.record(0);
  CHECK_FALSE(run.pipeline.idle_timeout());
  run.feed(std::vector<std::string>{"TypeError: x is not a function"});
  run.clock.advance(std::chrono::milliseconds(100));
  run.feed(std::vector<std::string>{"    at run (/srv/app/a.js:1:2)"});
  // Node writes a report in several writes: woken early, the dump is not cut.
  CHECK(run.pipeline.idle_timeout() == std::chrono::milliseconds(250));
  run.clock.advance(std::chrono::milliseconds(249));
  run.pipeline.on_idle();
  run.feed(std::vector<std::string>{"    at main (/srv/app/b.js:3:4)"});
  run.clock.advance(std::chrono::milliseconds(250));
  run.pipeline.on_idle();
  // Complete: its event waits for a JSON partner (the pairing window), then goes out whole.
  CHECK(run.pipeline.idle_timeout() == std::chrono::milliseconds(5000));
  run.clock.advance(std::chrono::milliseconds(5000));
  run.pipeline.on_idle();
  REQUIRE(run.sink.events.size() == 1);
  CHECK(logged_exception(run.sink.events[0]).find_path("stacktrace.frames")->as_array().size() ==
        2);
  CHECK_FALSE(run.pipeline.idle_timeout());
}
