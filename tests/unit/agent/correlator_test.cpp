#include <catch2/catch.hpp>

#include <random>

#include "agent/pipeline/correlator.h"
#include "agent/pipeline/pipeline.h"
#include "parsers/json.h"

using faultline::Correlator;
using faultline::Line;
using faultline::Metrics;
using faultline::PinoFormat;
using faultline::ReadOutcome;
using faultline::RecordReader;
using faultline::RecordSchema;
using faultline::RecordView;
using faultline::SourceState;
using faultline::rules::Detector;
using faultline::sentry::Incident;

namespace {

constexpr int64_t kT0 = 1'795'502'011'000;  // ms

// Feeds lines through the real reader, detector and correlator, collecting incidents.
class Harness {
 public:
  explicit Harness(faultline::config::Correlation options = {})
      : schema_(RecordSchema::build(PinoFormat{}).value()),
        reader_(schema_),
        detector_(faultline::rules::DetectOptions{}),
        correlator_(
            options, PinoFormat{}, [this](Incident&& i) { incidents.push_back(std::move(i)); },
            metrics) {
    source_.key = "k";
    source_.key_known = true;
  }

  void feed(const std::string& text) {
    Line line;
    line.text = text;
    line.offset = offset_;
    line.number = ++number_;
    offset_ += text.size() + 1;
    RecordView view;
    REQUIRE(reader_.read(text, view, /*padded=*/false) == ReadOutcome::kRecord);
    correlator_.observe(source_, line, view, detector_.classify(view, reader_), wall_us_);
  }
  void idle_ms(int64_t ms) {
    wall_us_ += ms * 1000;
    correlator_.tick(wall_us_);
  }
  void flush() { correlator_.flush(); }
  Correlator& correlator() { return correlator_; }

  std::vector<Incident> incidents;
  Metrics metrics;

 private:
  RecordSchema schema_;
  RecordReader reader_;
  Detector detector_;
  Correlator correlator_;
  SourceState source_{0, "test"};
  uint64_t offset_ = 0;
  uint64_t number_ = 0;
  int64_t wall_us_ = 1'900'000'000'000'000;
};

std::string t(int64_t ms) {
  return std::to_string(kT0 + ms);
}

std::string info(int id, int64_t ms, const std::string& msg) {
  return R"J({"level":30,"time":)J" + t(ms) + R"J(,"req":{"id":)J" + std::to_string(id) +
         R"J(,"method":"GET","url":"/api/x/)J" + std::to_string(id) + R"J("},"msg":")J" + msg +
         R"J("})J";
}
std::string error(int id, int64_t ms, const std::string& message) {
  return R"J({"level":50,"time":)J" + t(ms) + R"J(,"req":{"id":)J" + std::to_string(id) +
         R"J(},"err":{"type":"Error","message":")J" + message + R"J(","stack":"Error: )J" +
         message + R"J(\n    at handler (/app/a.js:1:1)"},"msg":")J" + message + R"J("})J";
}
std::string completion(int id, int64_t ms, int status, bool placeholder = true) {
  std::string s = R"J({"level":30,"time":)J" + t(ms) + R"J(,"req":{"id":)J" + std::to_string(id) +
                  R"J(,"method":"GET","url":"/api/x/)J" + std::to_string(id) +
                  R"J("},"res":{"statusCode":)J" + std::to_string(status) + "}";
  if (status >= 500 && placeholder) {
    s +=
        R"J(,"err":{"type":"Error","message":"failed with status code )J" + std::to_string(status) +
        R"J(","stack":"Error: failed with status code 500\n    at onResFinished (/app/node_modules/pino-http/logger.js:115:39)"})J";
  }
  s += R"J(,"responseTime":12,"msg":"request )J" +
       std::string(status >= 500 ? "errored" : "completed") + R"J("})J";
  return s;
}

std::string message_of(const faultline::sentry::KeptLine& line) {
  auto v = faultline::json::parse(line.text);
  REQUIRE(v.ok());
  return v->find("msg")->as_string();
}

}  // namespace

TEST_CASE("correlator: error + 5xx completion → one event with the completion and breadcrumbs",
          "[correlator]") {
  Harness h;
  h.feed(info(1, 0, "loading"));
  h.feed(info(2, 1, "other request"));
  h.feed(info(1, 2, "querying"));
  h.feed(error(1, 3, "db down"));
  CHECK(h.incidents.empty());  // held for the completion
  h.feed(completion(1, 5, 500));
  REQUIRE(h.incidents.size() == 1);
  const Incident& i = h.incidents[0];
  CHECK(message_of(i.error) == "db down");
  REQUIRE(i.completion.has_value());
  CHECK(message_of(*i.completion) == "request errored");
  // Itself an error line, the completion was parsed to group the failures: the builder gets it.
  REQUIRE(i.completion_record != nullptr);
  CHECK(i.completion_record->find("msg")->as_string() == "request errored");
  REQUIRE(i.breadcrumbs.size() == 2);
  CHECK(message_of(i.breadcrumbs[0]) == "loading");
  CHECK(message_of(i.breadcrumbs[1]) == "querying");
  CHECK_FALSE(i.forced);
  CHECK(h.metrics.placeholders_absorbed.get() == 1);
}

TEST_CASE("correlator: a 5xx with only pino-http's placeholder is still one event",
          "[correlator]") {
  Harness h;
  h.feed(info(7, 0, "start"));
  h.feed(completion(7, 2, 503));
  REQUIRE(h.incidents.size() == 1);
  CHECK(message_of(h.incidents[0].error) == "request errored");
  CHECK(h.incidents[0].breadcrumbs.size() == 1);
  // The completion is the error line here: the record and the completion are one DOM each.
  REQUIRE(h.incidents[0].record.has_value());
  REQUIRE(h.incidents[0].completion_record != nullptr);
  CHECK(*h.incidents[0].completion_record == *h.incidents[0].record);
}

TEST_CASE("correlator: the same failure logged twice is one event, distinct ones are not",
          "[correlator]") {
  Harness h;
  h.feed(error(3, 0, "boom"));
  h.feed(error(3, 1, "boom"));
  h.feed(error(3, 2, "another failure"));
  h.feed(completion(3, 3, 500));
  REQUIRE(h.incidents.size() == 2);
  CHECK(message_of(h.incidents[0].error) == "boom");
  CHECK(h.incidents[0].duplicates.size() == 1);
  CHECK(message_of(h.incidents[1].error) == "another failure");
  CHECK(h.incidents[0].completion_record != nullptr);
  CHECK(h.incidents[0].completion_record == h.incidents[1].completion_record);
  CHECK(h.metrics.duplicates_merged.get() == 1);
}

TEST_CASE("correlator: pino-http's summary carrying the real error merges with the handler's",
          "[correlator]") {
  Harness h;
  h.feed(error(4, 0, "real"));
  std::string summary = error(4, 2, "real");
  summary.replace(summary.find(R"J("level":50)J"), 10, R"J("level":30)J");
  summary.insert(summary.size() - 1, R"J(,"res":{"statusCode":500},"responseTime":3)J");
  h.feed(summary);
  REQUIRE(h.incidents.size() == 1);
  CHECK(h.incidents[0].duplicates.size() == 1);
  // The handler's line is the one the event is built from.
  CHECK(h.incidents[0].error.text.find(R"J("level":50)J") != std::string::npos);
}

TEST_CASE("correlator: out-of-order completion (an earlier line delivered after it)J",
          "[correlator]") {
  Harness h;
  h.feed(info(5, 0, "start"));
  h.feed(completion(5, 10, 500));
  REQUIRE(h.incidents.size() == 1);  // the placeholder 5xx event
  h.incidents.clear();
  // The handler's error was logged at t=8 but reached the file after the completion.
  h.feed(error(5, 8, "late delivered"));
  REQUIRE(h.incidents.size() == 1);
  CHECK(message_of(h.incidents[0].error) == "late delivered");
  REQUIRE(h.incidents[0].completion.has_value());
  CHECK(h.metrics.late_lines.get() == 1);
}

TEST_CASE("correlator: error logged after the completion is still reported once", "[correlator]") {
  Harness h;
  h.feed(info(6, 0, "start"));
  h.feed(completion(6, 2, 200));
  h.feed(error(6, 50, "cleanup failed after the response"));
  CHECK(h.incidents.empty());  // a new scope for id 6, waiting for a completion
  h.feed(info(99, 6000, "time passes"));
  REQUIRE(h.incidents.size() == 1);
  CHECK(message_of(h.incidents[0].error) == "cleanup failed after the response");
  CHECK(h.incidents[0].forced);
}

TEST_CASE("correlator: a missing completion releases the error after the hold, in record time",
          "[correlator]") {
  Harness h;
  h.feed(info(8, 0, "start"));
  h.feed(error(8, 10, "stuck"));
  h.feed(info(9, 4000, "still inside the hold window"));
  CHECK(h.incidents.empty());
  h.feed(info(9, 5100, "past it"));
  REQUIRE(h.incidents.size() == 1);
  CHECK(h.incidents[0].forced);
  CHECK_FALSE(h.incidents[0].completion.has_value());
  CHECK(h.incidents[0].breadcrumbs.size() == 1);
  CHECK(h.metrics.forced_emissions.get() == 1);
  // A completion that shows up later adds no second event for the same failure.
  h.feed(completion(8, 5200, 500));
  CHECK(h.incidents.size() == 1);
}

TEST_CASE("correlator: when input is idle the hold window runs in wall time", "[correlator]") {
  Harness h;
  h.feed(error(10, 0, "quiet service"));
  h.idle_ms(4000);
  CHECK(h.incidents.empty());
  h.idle_ms(1500);
  REQUIRE(h.incidents.size() == 1);
}

TEST_CASE("correlator: a reused request id does not merge two requests", "[correlator]") {
  Harness h;
  h.feed(info(11, 0, "first attempt"));
  h.feed(completion(11, 5, 503));
  REQUIRE(h.incidents.size() == 1);
  h.feed(info(11, 100, "retry attempt"));
  h.feed(error(11, 101, "retry failed too"));
  h.feed(completion(11, 102, 500));
  REQUIRE(h.incidents.size() == 2);
  const Incident& second = h.incidents[1];
  CHECK(message_of(second.error) == "retry failed too");
  REQUIRE(second.breadcrumbs.size() == 1);
  CHECK(message_of(second.breadcrumbs[0]) == "retry attempt");
}

TEST_CASE("correlator: many concurrent requests keep their own stories", "[correlator]") {
  Harness h;
  const int n = 1000;
  for (int id = 0; id < n; ++id) h.feed(info(id, id, "step one of " + std::to_string(id)));
  for (int id = 0; id < n; ++id) h.feed(error(id, n + id, "failure " + std::to_string(id)));
  for (int id = 0; id < n; ++id) h.feed(completion(id, 2 * n + id, 500));
  REQUIRE(h.incidents.size() == static_cast<size_t>(n));
  for (const Incident& i : h.incidents) {
    const std::string msg = message_of(i.error);
    const std::string id = msg.substr(msg.find(' ') + 1);
    REQUIRE(i.breadcrumbs.size() == 1);
    CHECK(message_of(i.breadcrumbs[0]) == "step one of " + id);
  }
  CHECK(h.correlator().open_requests() == static_cast<size_t>(n));  // closed, kept one window
}

TEST_CASE("correlator: eviction of an open request emits what it held", "[correlator]") {
  faultline::config::Correlation options;
  options.max_requests = 2;
  Harness h(options);
  h.feed(error(1, 0, "one"));
  h.feed(error(2, 1, "two"));
  CHECK(h.incidents.empty());
  h.feed(info(3, 2, "third request"));
  REQUIRE(h.incidents.size() == 1);
  CHECK(message_of(h.incidents[0].error) == "one");
  CHECK(h.incidents[0].forced);
  CHECK(h.metrics.requests_evicted.get() == 1);
  CHECK(h.correlator().open_requests() == 2);
}

TEST_CASE("correlator: a request that never completes is freed after the TTL", "[correlator]") {
  faultline::config::Correlation options;
  options.ttl = std::chrono::seconds(60);
  Harness h(options);
  h.feed(info(1, 0, "never completes"));
  CHECK(h.correlator().open_requests() == 1);
  h.idle_ms(61'000);
  CHECK(h.correlator().open_requests() == 0);
  CHECK(h.metrics.requests_expired.get() == 1);
}

TEST_CASE("correlator: records and bytes per request are bounded", "[correlator]") {
  faultline::config::Correlation options;
  options.max_records_per_request = 3;
  options.max_record_bytes = 300;
  Harness h(options);
  for (int i = 0; i < 10; ++i) h.feed(info(1, i, "line " + std::to_string(i)));
  h.feed(info(1, 10, "padding " + std::string(1000, 'x')));
  h.feed(error(1, 11, "e"));
  h.feed(completion(1, 12, 500));
  REQUIRE(h.incidents.size() == 1);
  const auto& crumbs = h.incidents[0].breadcrumbs;
  REQUIRE(crumbs.size() == 3);
  CHECK(message_of(crumbs[0]) == "line 8");
  CHECK(message_of(crumbs[1]) == "line 9");
  CHECK(crumbs[2].cut);
  CHECK(crumbs[2].text.size() == 300);
}

TEST_CASE("correlator: memory does not grow with the input", "[correlator]") {
  faultline::config::Correlation options;
  options.max_requests = 100;
  options.max_bytes = 64 * 1024;
  Harness h(options);
  for (int i = 0; i < 20'000; ++i) h.feed(info(i, i, "request " + std::to_string(i)));
  CHECK(h.correlator().open_requests() <= 100);
  // Old breadcrumbs were overwritten in the arena; an error still gets an event.
  h.feed(error(19'999, 20'000, "late failure"));
  h.feed(completion(19'999, 20'001, 500));
  REQUIRE(h.incidents.size() == 1);
}

TEST_CASE("correlator: memory for kept lines follows the open requests, not the input",
          "[correlator]") {
  Harness h;  // correlation.max_bytes at its default, 64 MiB
  const std::string padding(400, 'p');
  // 50,000 requests that complete one after the other: 25 MB of kept lines in all.
  for (int i = 0; i < 50'000; ++i) {
    h.feed(info(i, 2 * i, "work " + padding));
    h.feed(completion(i, 2 * i + 1, 200));
  }
  // Closed requests are kept one hold window (5 s of record time: 5,000 requests here), then
  // their lines are given back: a few MiB stay, not the 64 MiB budget.
  CHECK(h.correlator().kept_bytes() <= 8u * 1024 * 1024);
  CHECK(h.correlator().kept_bytes() > 0);
}

TEST_CASE("correlator: worker job failures are emitted at once and borrow the request's trace",
          "[correlator]") {
  Harness h;
  h.feed(
      R"J({"level":30,"time":)J" + t(0) +
      R"J(,"req":{"id":18},"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","trace_flags":"01","msg":"job enqueued"})J");
  h.feed(
      R"J({"level":40,"time":)J" + t(1) +
      R"J(,"queue":"emails","jobId":"9","attemptsMade":1,"attempts":3,"requestId":18,"err":{"type":"Error","message":"smtp"},"msg":"job 9 failed, will retry"})J");
  CHECK(h.incidents.empty());  // a retry
  h.feed(
      R"J({"level":50,"time":)J" + t(2) +
      R"J(,"queue":"emails","jobId":"9","attemptsMade":3,"attempts":3,"requestId":18,"err":{"type":"Error","message":"smtp"},"msg":"job 9 failed permanently"})J");
  REQUIRE(h.incidents.size() == 1);
  const Incident& i = h.incidents[0];
  CHECK(i.trace_id == "0af7651916cd43dd8448eb211c80319c");
  REQUIRE(i.breadcrumbs.size() == 1);
  CHECK(message_of(i.breadcrumbs[0]) == "job 9 failed, will retry");
}

TEST_CASE("correlator: without a request id, lines that share a trace id are correlated",
          "[correlator]") {
  Harness h;
  const std::string trace =
      R"J("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7")J";
  h.feed(R"J({"level":30,"time":)J" + t(0) + "," + trace + R"J(,"msg":"calling upstream"})J");
  h.feed(R"J({"level":50,"time":)J" + t(1) + "," + trace +
         R"J(,"err":{"type":"Error","message":"upstream 502"},"msg":"upstream failed"})J");
  h.flush();
  REQUIRE(h.incidents.size() == 1);
  CHECK(h.incidents[0].breadcrumbs.size() == 1);
  CHECK(h.incidents[0].trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_CASE("correlator: a trace id from another line of the request fills a missing one",
          "[correlator]") {
  Harness h;
  h.feed(
      R"J({"level":30,"time":)J" + t(0) +
      R"J(,"req":{"id":21},"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","msg":"start"})J");
  h.feed(error(21, 1, "no trace on this line"));
  h.feed(completion(21, 2, 500));
  REQUIRE(h.incidents.size() == 1);
  CHECK(h.incidents[0].trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(h.incidents[0].span_id == "00f067aa0ba902b7");
}

TEST_CASE("correlator: errors without any id go out at once, and flush empties the holds",
          "[correlator]") {
  Harness h;
  h.feed(R"J({"level":60,"time":)J" + t(0) + R"J(,"msg":"uncaught exception, exiting"})J");
  CHECK(h.incidents.size() == 1);
  h.feed(error(30, 1, "held"));
  CHECK(h.incidents.size() == 1);
  h.flush();
  CHECK(h.incidents.size() == 2);
  CHECK(h.incidents[1].forced);
}

TEST_CASE("correlator: correlation can be turned off", "[correlator]") {
  faultline::config::Correlation options;
  options.enabled = false;
  Harness h(options);
  h.feed(error(1, 0, "a"));
  h.feed(completion(1, 1, 500));
  CHECK(h.incidents.size() == 2);
}

TEST_CASE("correlator: a record from the future does not stop the hold window", "[correlator]") {
  Harness h;  // wall time is in 2030; the records are from 2026, one from 2286
  h.feed(info(39, 0, "a normal line"));
  h.feed(R"J({"level":30,"time":9999999999999,"msg":"a clock gone wrong"})J");
  h.feed(error(40, 0, "held"));
  h.feed(info(41, 6000, "input flows on, six seconds later"));
  REQUIRE(h.incidents.size() == 1);
  CHECK(h.incidents[0].forced);
}

TEST_CASE("correlator: a request line that names a queue stays in its request", "[correlator]") {
  Harness h;
  std::string enqueue_error = error(42, 0, "enqueue failed");
  enqueue_error.insert(enqueue_error.size() - 1, R"J(,"queue":"emails")J");
  h.feed(enqueue_error);
  CHECK(h.incidents.empty());  // held for its request's completion, not emitted as a job
  h.feed(completion(42, 1, 500));
  REQUIRE(h.incidents.size() == 1);
  CHECK(h.incidents[0].completion.has_value());
}

TEST_CASE("correlator: held error lines are bounded per request and in all", "[correlator]") {
  Harness h;
  for (int i = 0; i < 100; ++i) h.feed(error(50, i, "failure " + std::to_string(i)));
  // 100 distinct failures, none waiting for the completion past the per-request bound.
  CHECK(h.incidents.size() >= 96);
  CHECK(h.metrics.forced_emissions.get() >= 96);

  faultline::config::Correlation small;
  small.max_bytes = 64 * 1024;
  Harness g(small);
  const std::string big(4000, 'x');
  for (int id = 0; id < 40; ++id) g.feed(error(100 + id, id, "big " + big));
  CHECK(g.incidents.size() >= 16);  // the budget (64 KiB) holds at most 16 lines of 4 KiB
}

namespace {
// The line as written by process `pid` on `host` (pino's base bindings).
std::string from(int pid, const std::string& host, const std::string& line) {
  return R"J({"pid":)J" + std::to_string(pid) + R"J(,"hostname":")J" + host + "\"," +
         line.substr(1);
}
}  // namespace

TEST_CASE("correlator: the same request id in two processes is two requests", "[correlator]") {
  // Two cluster workers share one stdout; pino-http numbers each one's requests from 1.
  Harness h;
  h.feed(from(101, "api", info(1, 0, "charging")));
  h.feed(from(102, "api", info(1, 1, "listing")));
  h.feed(from(101, "api", error(1, 2, "ledger write failed")));
  h.feed(from(102, "api", completion(1, 3, 200)));
  CHECK(h.incidents.empty());  // the other worker's 200 is not this request's completion
  h.feed(from(101, "api", completion(1, 5, 500)));
  REQUIRE(h.incidents.size() == 1);
  const Incident& i = h.incidents[0];
  CHECK(message_of(i.error) == "ledger write failed");
  REQUIRE(i.completion.has_value());
  CHECK(message_of(*i.completion) == "request errored");
  REQUIRE(i.breadcrumbs.size() == 1);
  CHECK(message_of(i.breadcrumbs[0]) == "charging");

  // Replicas of one image share pid 1 and differ by hostname; a restarted process by pid.
  Harness replicas;
  replicas.feed(from(1, "api-7f9c", error(3, 0, "cache unreachable")));
  replicas.feed(from(1, "api-2b41", completion(3, 1, 200)));
  replicas.flush();
  REQUIRE(replicas.incidents.size() == 1);
  CHECK_FALSE(replicas.incidents[0].completion.has_value());
}

TEST_CASE("correlator: a unique request id joins lines whatever process wrote them",
          "[correlator]") {
  // genReqId's UUIDs (or a proxy's x-request-id) need no process scope: the app's own logger
  // with base: null and pino-http's logger write the same request.
  const auto with_id = [](std::string line, const std::string& id) {
    const std::string from = R"("req":{"id":1)";
    return line.replace(line.find(from), from.size(), R"("req":{"id":")" + id + "\"");
  };
  const std::string uuid = "6f1c2a9e-3b7d-4c55-9a0e-1d2f3b4c5d6e";
  Harness h;
  h.feed(with_id(error(1, 0, "ledger write failed"), uuid));  // no pid, no hostname
  h.feed(from(101, "api", with_id(completion(1, 2, 500), uuid)));
  REQUIRE(h.incidents.size() == 1);
  CHECK(message_of(h.incidents[0].error) == "ledger write failed");
  REQUIRE(h.incidents[0].completion.has_value());
}

TEST_CASE("correlator: a request's first line stays readable after the ring moves past it",
          "[correlator]") {
  // Fastify logs req only on "incoming request"; a chatty request must not lose it.
  faultline::config::Correlation options;
  options.max_records_per_request = 5;
  Harness h(options);
  h.feed(info(4, 0, "incoming request"));
  for (int i = 1; i <= 12; ++i) h.feed(info(4, i, "step " + std::to_string(i)));
  h.feed(error(4, 20, "inventory lookup failed"));
  h.feed(completion(4, 21, 500));
  REQUIRE(h.incidents.size() == 1);
  const Incident& i = h.incidents[0];
  CHECK(i.breadcrumbs.size() == 5);
  CHECK(message_of(i.breadcrumbs.front()) == "step 8");
  REQUIRE(i.opening.has_value());
  CHECK(message_of(*i.opening) == "incoming request");
}

TEST_CASE("correlator: an emitted incident carries its error line parsed, so it is parsed once",
          "[correlator]") {
  Harness h;
  const std::string failing = error(1, 0, "db down");
  h.feed(failing);
  h.feed(completion(1, 5, 500));
  h.feed(error(2, 6, "late"));
  h.feed(completion(2, 7, 200));
  h.feed(error(2, 8, "after completion"));  // a late line: emitted at once, parsed once too
  h.flush();
  REQUIRE(h.incidents.size() >= 2);
  for (const Incident& incident : h.incidents) {
    REQUIRE(incident.record.has_value());
    const auto reparsed = faultline::json::parse(incident.error.text);
    REQUIRE(reparsed.ok());
    CHECK(faultline::json::to_string(*incident.record) == faultline::json::to_string(*reparsed));
  }
}

TEST_CASE("correlator: a job that ended is let go one hold window later, not at the TTL",
          "[correlator]") {
  Harness h;  // hold 5 s, TTL 10 min
  const auto job_line = [](int id, int64_t ms, const std::string& msg) {
    return R"({"level":30,"time":)" + t(ms) + R"(,"queue":"emails","jobId":")" +
           std::to_string(id) + R"(","msg":")" + msg + "\"}";
  };
  h.feed(job_line(9, 0, "job 9 active"));
  h.feed(job_line(9, 10, "job 9 completed"));
  h.feed(job_line(10, 20, "job 10 active"));  // still running
  CHECK(h.correlator().open_requests() == 2);
  // The same job id run again within the hold window: a new run, open until its own end.
  h.feed(job_line(9, 1'000, "job 9 active"));
  h.feed(info(1, 7'000, "a request, 6 s later"));
  CHECK(h.correlator().open_requests() == 3);  // jobs 9 and 10, request 1
  // A job that ends is gone one hold window after its end.
  h.feed(job_line(11, 7'100, "job 11 active"));
  h.feed(job_line(11, 7'200, "job 11 completed"));
  CHECK(h.correlator().open_requests() == 4);
  h.feed(info(1, 13'000, "later still"));
  CHECK(h.correlator().open_requests() == 3);
}
