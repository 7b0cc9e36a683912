// The pipeline as a whole, line in → event out, on a fake clock: replay's time is the records'
// time (correlation and throttling), and an error record is not lost to a value faultline cannot
// read elsewhere in it.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/loader.h"
#include "agent/outputs/event_sink.h"
#include "agent/pipeline/pipeline.h"
#include "base/clock.h"
#include "collecting_sink.h"
#include "line_feeder.h"

using namespace faultline;

namespace {

// ms: 2024-12-31, a day before the fake clock's wall time (so that live, too, believes it).
constexpr int64_t kT0 = 1'735'603'200'000;

using test::CollectingSink;

config::Config config_of(const std::string& yaml) {
  auto config = config::load_text(yaml, "test.yaml",
                                  [](std::string_view) { return std::optional<std::string>(); });
  REQUIRE(config.ok());
  return std::move(config).value();
}

struct Run {
  explicit Run(const std::string& yaml, TimeBase time_base)
      : config(config_of(yaml)), pipeline(config, sink, metrics, clock, nullptr, time_base) {
    source = pipeline.open_source("test.log");
  }

  void feed(const std::string& text) { feeder.feed(pipeline, source, text); }
  // The input is quiet for `by` of wall time.
  void idle(std::chrono::milliseconds by) {
    clock.advance(by);
    pipeline.on_idle();
  }

  config::Config config;
  Metrics metrics;
  FakeClock clock;
  CollectingSink sink;
  Pipeline pipeline;
  SourceId source = 0;
  faultline::test::LineFeeder feeder;
};

std::string at(int64_t ms) {
  return std::to_string(kT0 + ms);
}

// An err object whose stack has one frame.
std::string err(const std::string& message) {
  return R"("err":{"type":"TypeError","message":")" + message + R"(","stack":"TypeError: )" +
         message + R"J(\n    at f (/app/x.js:1:1)"})J";
}

std::string request_error(int id, int64_t ms) {
  return R"({"level":50,"time":)" + at(ms) + R"(,"reqId":)" + std::to_string(id) + "," +
         err("boom " + std::to_string(id)) + R"(,"msg":"boom"})";
}
std::string request_info(int id, std::optional<int64_t> ms) {
  const std::string time = ms ? R"("time":)" + at(*ms) + "," : "";
  return R"({"level":30,)" + time + R"("reqId":)" + std::to_string(id) + R"(,"msg":"working"})";
}
std::string completion(int id, int64_t ms) {
  return R"({"level":30,"time":)" + at(ms) + R"(,"reqId":)" + std::to_string(id) +
         R"(,"res":{"statusCode":500},"responseTime":5,"msg":"request errored"})";
}

const std::string kHold = "correlation:\n  hold: 1s\n";

}  // namespace

TEST_CASE("pipeline: replay holds an error by record time, however long the input is quiet",
          "[pipeline]") {
  {
    // Live, the hold window passes in wall time while the input is quiet: the error goes out
    // alone.
    Run run(kHold, TimeBase::kLive);
    run.feed(request_error(1, 0));
    run.idle(std::chrono::seconds(2));
    REQUIRE(run.sink.events.size() == 1);
    CHECK(run.sink.events[0].find_path("extra.faultline_completion") != nullptr);
  }
  Run run(kHold, TimeBase::kRecordTime);
  run.feed(request_error(1, 0));
  run.idle(std::chrono::minutes(10));
  CHECK(run.sink.events.empty());
  // Lines without a time do not move record time either.
  run.clock.advance(std::chrono::minutes(10));
  run.feed(request_info(2, std::nullopt));
  CHECK(run.sink.events.empty());
  // The completion, 500 ms of record time later, still finds its error.
  run.feed(completion(1, 500));
  REQUIRE(run.sink.events.size() == 1);
  const json::Value& event = run.sink.events[0];
  CHECK(event.find("tags")->find("http.status_code")->as_string() == "500");
  CHECK(event.find_path("extra.faultline_completion") == nullptr);
}

TEST_CASE("pipeline: replay releases a held error once record time passes its hold window",
          "[pipeline]") {
  Run run(kHold, TimeBase::kRecordTime);
  run.feed(request_error(1, 0));
  run.feed(request_info(2, 999));
  CHECK(run.sink.events.empty());
  run.feed(request_info(2, 1001));
  REQUIRE(run.sink.events.size() == 1);
  CHECK(run.sink.events[0].find_path("extra.faultline_completion") != nullptr);
}

TEST_CASE("pipeline: replay's throttle windows are windows of record time", "[pipeline]") {
  const std::string yaml = "rules:\n  list:\n    - throttle: {max: 1, window: 1m}\n";
  const auto lone_error = [](int64_t ms) {
    return R"({"level":50,"time":)" + at(ms) + "," + err("same") + R"(,"msg":"same"})";
  };
  for (TimeBase base : {TimeBase::kLive, TimeBase::kRecordTime}) {
    const bool live = base == TimeBase::kLive;
    INFO((live ? "live" : "record time"));
    Run run(yaml, base);
    run.feed(lone_error(0));
    run.feed(lone_error(10'000));  // the same minute of the log: throttled
    run.feed(lone_error(70'000));  // the next minute of the log; no wall time passed
    CHECK(run.sink.events.size() == (live ? 1U : 2U));
    // A long pause in reading opens no new window on record time.
    run.idle(std::chrono::minutes(5));
    run.feed(lone_error(71'000));
    CHECK(run.sink.events.size() == 2U);
  }
}

TEST_CASE("pipeline: an error record is sent with a marker where a value cannot be read",
          "[pipeline]") {
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  struct Case {
    std::string odd;
    std::string marker;
  };
  for (const Case& c : std::vector<Case>{{deep, std::string(json::kTooDeep)},
                                         {"1e309", std::string(json::kNumberOutOfRange)},
                                         {"-1e400", std::string(json::kNumberOutOfRange)}}) {
    INFO(c.odd.substr(0, 20));
    Run run(kHold, TimeBase::kRecordTime);
    // At once (no request), held for a request, and pino-http's level-30 line with an err.
    run.feed(R"({"level":50,"time":)" + at(0) + R"(,"odd":)" + c.odd + "," + err("boom") + "}");
    run.feed(R"({"level":50,"time":)" + at(1) + R"(,"reqId":1,"odd":)" + c.odd + "," + err("boom") +
             "}");
    run.feed(R"({"level":30,"time":)" + at(2) + R"(,"reqId":2,"odd":)" + c.odd + "," + err("boom") +
             R"(,"res":{"statusCode":500},"responseTime":5,"msg":"request errored"})");
    run.pipeline.finish();
    REQUIRE(run.sink.events.size() == 3);
    for (const json::Value& event : run.sink.events) {
      const std::string text = json::to_string(event);
      CHECK(text.find('"' + c.marker + '"') != std::string::npos);
      CHECK(event.find_path("exception.values")->as_array().back().find("type")->as_string() ==
            "TypeError");
    }
    CHECK(run.metrics.fields_unreadable.get() == 3);
    CHECK(run.metrics.build_failures.get() == 0);
    CHECK(run.metrics.non_json_lines.get() == 0);
  }
}

TEST_CASE("pipeline: a line that is not an error is classified despite an odd value",
          "[pipeline]") {
  Run run(kHold, TimeBase::kRecordTime);
  const std::string deep = std::string(3000, '[') + std::string(3000, ']');
  for (const std::string& odd : {std::string("1e309"), std::string("-9223372036854775809"), deep}) {
    run.feed(R"({"level":30,"time":)" + at(0) + R"(,"reqId":7,"odd":)" + odd + R"(,"msg":"fine"})");
  }
  run.feed(R"({"level":30,"time":1e309,"msg":"odd time"})");
  run.pipeline.finish();
  CHECK(run.sink.events.empty());
  CHECK(run.metrics.json_lines.get() == 4);
  CHECK(run.metrics.non_json_lines.get() == 0);
  CHECK(run.metrics.errors_detected.get() == 0);
}

TEST_CASE("pipeline: request ids beyond 2^53 keep their digits", "[pipeline]") {
  Run run(kHold, TimeBase::kRecordTime);
  for (const char* id : {"18446744073709551615", "18446744073709551614"}) {
    run.feed(R"({"level":50,"time":)" + at(0) + R"(,"req":{"id":)" + id +
             R"(,"method":"GET","url":"/a"},)" + err("boom") + R"(,"msg":"boom"})");
  }
  for (const char* id : {"18446744073709551615", "18446744073709551614"}) {
    run.feed(R"({"level":30,"time":)" + at(1) + R"(,"req":{"id":)" + id +
             R"(},"res":{"statusCode":500},"responseTime":5,"msg":"request errored"})");
  }
  REQUIRE(run.sink.events.size() == 2);
  CHECK(run.sink.events[0].find_path("tags.request_id")->as_string() == "18446744073709551615");
  CHECK(run.sink.events[1].find_path("tags.request_id")->as_string() == "18446744073709551614");
}

TEST_CASE("pipeline: live, the next deadline is what is held - none once nothing waits",
          "[pipeline][idle]") {
  using std::chrono::milliseconds;
  Run run(kHold, TimeBase::kLive);
  CHECK_FALSE(run.pipeline.next_deadline_us());
  CHECK_FALSE(run.pipeline.idle_timeout());
  // A record of no request holds nothing: an idle input may sleep until its next line.
  run.feed(R"({"level":30,"time":)" + at(0) + R"(,"msg":"started"})");
  CHECK_FALSE(run.pipeline.idle_timeout());

  // An error waits for its request's completion, one hold window of wall time at most.
  run.feed(request_error(1, 0));
  const int64_t read_at = wall_us(run.clock);
  CHECK(run.pipeline.next_deadline_us() == read_at + 1'000'000);
  CHECK(run.pipeline.idle_timeout() == milliseconds(1000));
  run.idle(milliseconds(999));
  CHECK(run.sink.events.empty());
  CHECK(run.pipeline.idle_timeout() == milliseconds(1));
  run.idle(milliseconds(1));
  CHECK(run.sink.events.size() == 1);

  // Its request, still open, is given up just past the TTL (10 minutes after its error line);
  // completed, just past one hold window after its completion; then nothing is due.
  CHECK(run.pipeline.idle_timeout() == milliseconds(599'001));
  run.feed(completion(1, 1000));
  CHECK(run.pipeline.idle_timeout() == milliseconds(1001));
  run.idle(milliseconds(1000));
  CHECK(run.pipeline.idle_timeout() == milliseconds(1));
  run.idle(milliseconds(1));
  CHECK_FALSE(run.pipeline.idle_timeout());
}

TEST_CASE("pipeline: replay has no deadline - only its records move its time", "[pipeline][idle]") {
  Run run(kHold, TimeBase::kRecordTime);
  run.feed(request_error(1, 0));
  CHECK_FALSE(run.pipeline.next_deadline_us());
}
