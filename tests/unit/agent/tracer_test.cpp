// Tracing through the whole pipeline, line in → transaction out: which completions become
// transactions (rates, route rules, the parent's trace flags), what a transaction says, and that
// the errors of a request share its trace.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "agent/config/loader.h"
#include "agent/outputs/event_sink.h"
#include "agent/pipeline/pipeline.h"
#include "base/clock.h"
#include "line_feeder.h"

using namespace faultline;

namespace {

constexpr int64_t kT0 = 1'735'603'200'000;  // ms

class CollectingSink final : public EventSink {
 public:
  bool emit(const std::string&, const json::Value& event, uint64_t ticket) override {
    const json::Value* type = event.find("type");
    (type != nullptr && type->as_string() == "transaction" ? transactions : errors)
        .push_back(event);
    settle(ticket);
    return true;
  }
  std::vector<json::Value> transactions;
  std::vector<json::Value> errors;
};

struct Run {
  explicit Run(const std::string& yaml)
      : config(config::load_text(yaml, "test.yaml",
                                 [](std::string_view) { return std::optional<std::string>(); })
                   .value()),
        pipeline(config, sink, metrics, clock, nullptr, TimeBase::kRecordTime) {
    source = pipeline.open_source("test.log");
  }
  void feed(const std::string& text) { feeder.feed(pipeline, source, text); }

  config::Config config;
  Metrics metrics;
  FakeClock clock;
  CollectingSink sink;
  Pipeline pipeline;
  SourceId source = 0;
  faultline::test::LineFeeder feeder;
};

// pino-http's completion line for request `id`: `extra` is spliced in before "msg".
std::string completion(int id, const std::string& method, const std::string& url, int status,
                       double response_ms, int64_t ms, const std::string& extra = "") {
  return R"({"level":30,"time":)" + std::to_string(kT0 + ms) +
         R"(,"pid":8978,"hostname":"vm","req":{"id":)" + std::to_string(id) + R"(,"method":")" +
         method + R"(","url":")" + url +
         R"(","headers":{"host":"127.0.0.1:3201","authorization":"Bearer abc.def.ghi","user-agent":"curl/8"}},"res":{"statusCode":)" +
         std::to_string(status) + R"(},"responseTime":)" + std::to_string(response_ms) + extra +
         R"(,"msg":"request completed"})";
}

std::string error_line(int id, int64_t ms, const std::string& extra = "") {
  return R"({"level":50,"time":)" + std::to_string(kT0 + ms) +
         R"(,"pid":8978,"hostname":"vm","req":{"id":)" + std::to_string(id) +
         R"J(,"method":"GET","url":"/api/orders/42"},"err":{"type":"Error","message":"boom","stack":"Error: boom\n    at f (/app/x.js:1:1)"})J" +
         extra + R"(,"msg":"boom"})";
}

const json::Value& at(const json::Value& event, const char* path) {
  const json::Value* v = event.find_path(path);
  INFO(path);
  REQUIRE(v != nullptr);
  return *v;
}

// Feeds the ends (completions or job ends) to two runs at sample_rate 0.1: about a tenth become
// transactions, the others are counted, and the second run keeps the very same traces.
void check_same_tenth_kept(const std::vector<std::string>& lines) {
  const auto kept = [&lines] {
    Run run("tracing:\n  sample_rate: 0.1\n");
    for (const std::string& l : lines) run.feed(l);
    CHECK(run.metrics.tracing.sampled.get() + run.metrics.tracing.dropped_rate.get() ==
          lines.size());
    std::vector<std::string> ids;
    for (const json::Value& t : run.sink.transactions) {
      ids.push_back(at(t, "contexts.trace.trace_id").as_string());
    }
    return ids;
  };
  const std::vector<std::string> first = kept();
  CHECK(first.size() > lines.size() * 7 / 100);
  CHECK(first.size() < lines.size() * 13 / 100);
  CHECK(kept() == first);
}

}  // namespace

TEST_CASE("tracer: off by default, nothing but errors", "[tracer]") {
  Run run("");
  run.feed(completion(1, "GET", "/api/orders/42", 200, 12, 0));
  CHECK(run.sink.transactions.empty());
  CHECK(run.metrics.tracing.dropped_rate.get() == 0);  // not even looked at
}

TEST_CASE("tracer: a completion becomes a transaction like the SDK's", "[tracer]") {
  Run run("tracing:\n  sample_rate: 1\n");
  run.feed(completion(1, "GET", "/api/orders/42?expand=items", 404, 12.5, 1000));
  REQUIRE(run.sink.transactions.size() == 1);
  const json::Value& t = run.sink.transactions[0];
  CHECK(at(t, "type").as_string() == "transaction");
  CHECK(at(t, "transaction").as_string() == "GET /api/orders/:id");
  CHECK(at(t, "transaction_info.source").as_string() == "url");
  // Completion time and completion time − responseTime, in seconds, as numbers.
  CHECK(at(t, "timestamp").as_double() == Approx((kT0 + 1000) / 1000.0));
  CHECK(at(t, "start_timestamp").as_double() == Approx((kT0 + 1000 - 12.5) / 1000.0));
  CHECK((at(t, "timestamp").as_double() - at(t, "start_timestamp").as_double()) ==
        Approx(0.0125).margin(1e-6));
  CHECK(at(t, "contexts.trace.op").as_string() == "http.server");
  CHECK(at(t, "contexts.trace.status").as_string() == "not_found");
  CHECK(at(t, "contexts.trace.trace_id").as_string().size() == 32);
  CHECK(at(t, "contexts.trace.span_id").as_string().size() == 16);
  CHECK(at(t, "contexts.trace.data").find("sentry.sample_rate")->as_double() == 1.0);
  CHECK(at(t, "contexts.response.status_code").as_int() == 404);
  CHECK(at(t, "tags").find("http.status_code")->as_string() == "404");
  CHECK(at(t, "tags").find("http.method")->as_string() == "GET");
  CHECK(at(t, "environment").as_string() == "production");
  CHECK(at(t, "server_name").as_string() == "vm");
  CHECK(at(t, "spans").as_array().empty());
  // The request, scrubbed by the same rules as errors (the secrets preset).
  CHECK(at(t, "request.url").as_string() == "http://127.0.0.1:3201/api/orders/42");
  CHECK(at(t, "request.query_string").as_string() == "expand=items");
  CHECK(at(t, "request.headers").find("authorization")->as_string() == "[Filtered]");
  CHECK(t.find("level") == nullptr);
  CHECK(t.find("exception") == nullptr);
  CHECK(run.metrics.tracing.sampled.get() == 1);
  // Not counted as an error event.
  CHECK(run.metrics.events.get() == 0);
}

TEST_CASE("tracer: a logged route names the transaction", "[tracer]") {
  Run run("tracing:\n  sample_rate: 1\n");
  run.feed(completion(1, "POST", "/api/orders/42/pay", 201, 3, 0,
                      R"(,"route":"/api/orders/:orderId/pay")"));
  REQUIRE(run.sink.transactions.size() == 1);
  const json::Value& t = run.sink.transactions[0];
  CHECK(at(t, "transaction").as_string() == "POST /api/orders/:orderId/pay");
  CHECK(at(t, "transaction_info.source").as_string() == "route");
  CHECK(at(t, "tags").find("route")->as_string() == "/api/orders/:orderId/pay");
}

TEST_CASE("tracer: rule tags apply, rule drops do not", "[tracer]") {
  // The areas preset tags; express-noise (on by default) would drop a 404 error, not a
  // transaction.
  Run run("tracing:\n  sample_rate: 1\nrules:\n  presets: [areas, express-noise, secrets]\n");
  run.feed(completion(1, "POST", "/api/payments", 404, 3, 0));
  REQUIRE(run.sink.transactions.size() == 1);
  CHECK(at(run.sink.transactions[0], "tags").find("area")->as_string() == "payments");
}

TEST_CASE("tracer: health checks are not sampled, a route rule's rate wins", "[tracer]") {
  Run run(
      "tracing:\n  sample_rate: 1\n  routes:\n"
      "    - {route: \"/api/internal/*\", sample_rate: 0}\n");
  run.feed(completion(1, "GET", "/health", 200, 1, 0));
  run.feed(completion(2, "GET", "/api/internal/stats", 200, 1, 1));
  run.feed(completion(3, "GET", "/api/orders/1", 200, 1, 2));
  REQUIRE(run.sink.transactions.size() == 1);
  CHECK(at(run.sink.transactions[0], "transaction").as_string() == "GET /api/orders/:id");
  CHECK(run.metrics.tracing.dropped_route.get() == 2);
  CHECK(run.metrics.tracing.sampled.get() == 1);
}

TEST_CASE("tracer: the same requests are kept on every run", "[tracer]") {
  std::vector<std::string> lines;
  for (int id = 1; id <= 1000; ++id) {
    lines.push_back(completion(id, "GET", "/api/orders/" + std::to_string(id), 200, 1, id));
  }
  check_same_tenth_kept(lines);
}

TEST_CASE("tracer: the parent's trace flags decide with respect_parent", "[tracer]") {
  const std::string trace = R"(,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736")";
  const std::string span = R"(,"span_id":"00f067aa0ba902b7")";
  {
    // A rate that keeps nearly nothing; flags 01 keep the request anyway, 00 never.
    Run run("tracing:\n  sample_rate: 0.000001\n");
    run.feed(completion(1, "GET", "/a", 200, 1, 0, trace + span + R"(,"trace_flags":"01")"));
    run.feed(completion(2, "GET", "/b", 200, 1, 1,
                        R"(,"trace_id":"00000000000000000000000000000000","trace_flags":"00")"));
    REQUIRE(run.sink.transactions.size() == 1);
    const json::Value& t = run.sink.transactions[0];
    CHECK(at(t, "contexts.trace.trace_id").as_string() == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(at(t, "contexts.trace.span_id").as_string() == "00f067aa0ba902b7");
    // The parent's rate is not known: none is claimed.
    CHECK(at(t, "contexts.trace.data").find("sentry.sample_rate") == nullptr);
    CHECK(run.metrics.tracing.dropped_parent.get() == 1);
  }
  {
    // The flags may be on an earlier line of the request only.
    Run run("tracing:\n  sample_rate: 1\n");
    run.feed(
        R"({"level":30,"time":1735603200000,"pid":8978,"hostname":"vm","req":{"id":1},"trace_flags":"00","msg":"x"})");
    run.feed(completion(1, "GET", "/a", 200, 1, 1));
    CHECK(run.sink.transactions.empty());
    CHECK(run.metrics.tracing.dropped_parent.get() == 1);
  }
  {
    Run run("tracing:\n  sample_rate: 1\n  respect_parent: false\n");
    run.feed(completion(2, "GET", "/b", 200, 1, 1, R"(,"trace_flags":"00")"));
    CHECK(run.sink.transactions.size() == 1);
  }
}

TEST_CASE("tracer: errors of a request share its transaction's trace", "[tracer]") {
  {
    // No trace id logged: both get the ids derived from the request id.
    Run run("tracing:\n  sample_rate: 1\n");
    run.feed(error_line(7, 0));
    run.feed(completion(7, "GET", "/api/orders/42", 500, 9, 10));
    REQUIRE(run.sink.errors.size() == 1);
    REQUIRE(run.sink.transactions.size() == 1);
    const json::Value& e = run.sink.errors[0];
    const json::Value& t = run.sink.transactions[0];
    CHECK(at(e, "contexts.trace.trace_id") == at(t, "contexts.trace.trace_id"));
    CHECK(at(e, "contexts.trace.span_id") == at(t, "contexts.trace.span_id"));
    CHECK(at(t, "contexts.trace.status").as_string() == "internal_error");
  }
  {
    // A trace id logged on the error line only: the transaction takes it too.
    Run run("tracing:\n  sample_rate: 1\n");
    run.feed(error_line(
        7, 0, R"(,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7")"));
    run.feed(completion(7, "GET", "/api/orders/42", 500, 9, 10));
    REQUIRE(run.sink.errors.size() == 1);
    REQUIRE(run.sink.transactions.size() == 1);
    CHECK(at(run.sink.errors[0], "contexts.trace.trace_id").as_string() ==
          "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(at(run.sink.transactions[0], "contexts.trace.trace_id").as_string() ==
          "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(at(run.sink.transactions[0], "contexts.trace.span_id").as_string() == "00f067aa0ba902b7");
  }
  {
    // Tracing off: error events stay as they were, without a trace they did not log.
    Run run("");
    run.feed(error_line(7, 0));
    run.feed(completion(7, "GET", "/api/orders/42", 500, 9, 10));
    REQUIRE(run.sink.errors.size() == 1);
    CHECK(run.sink.errors[0].find_path("contexts.trace") == nullptr);
  }
}

TEST_CASE("tracer: a completion without a response time is counted, not sent", "[tracer]") {
  Run run("tracing:\n  sample_rate: 1\n");
  // GCP's request log entry: a completion by its status, without pino-http's responseTime.
  run.feed(
      R"({"level":30,"time":1735603200000,"reqId":"a1","httpRequest":{"status":200},"msg":"x"})");
  CHECK(run.sink.transactions.empty());
  CHECK(run.metrics.tracing.dropped_unusable.get() == 1);
}

TEST_CASE("tracer: Fastify's completion takes the request from the opening line", "[tracer]") {
  Run run("tracing:\n  sample_rate: 1\n");
  run.feed(
      R"({"level":30,"time":1735603200000,"pid":1,"hostname":"vm","reqId":"req-1","req":{"method":"GET","url":"/async-reject/42?v=1","host":"localhost:3000"},"msg":"incoming request"})");
  run.feed(
      R"({"level":30,"time":1735603200002,"pid":1,"hostname":"vm","reqId":"req-1","res":{"statusCode":500},"responseTime":1.69,"msg":"request completed"})");
  REQUIRE(run.sink.transactions.size() == 1);
  const json::Value& t = run.sink.transactions[0];
  CHECK(at(t, "transaction").as_string() == "GET /async-reject/:id");
  CHECK(at(t, "request.url").as_string() == "http://localhost:3000/async-reject/42");
}

namespace {

// A worker's line about job `id` of the "emails" queue; `extra` is spliced in before "msg".
std::string job_line(int id, int level, const std::string& msg, int64_t ms,
                     const std::string& extra = "") {
  return R"({"level":)" + std::to_string(level) + R"(,"time":)" + std::to_string(kT0 + ms) +
         R"(,"pid":8978,"hostname":"vm","component":"worker","queue":"emails","jobId":")" +
         std::to_string(id) + R"(","jobName":"send-welcome-email")" + extra + R"(,"msg":")" + msg +
         R"("})";
}

const std::string kFailure =
    R"J(,"err":{"type":"Error","message":"550 rejected","stack":"Error: 550 rejected\n    at f (/app/w.js:1:1)"})J";

}  // namespace

TEST_CASE("tracer: a worker job's end becomes a queue.process transaction", "[tracer]") {
  Run run("tracing:\n  sample_rate: 1\n");
  run.feed(job_line(7, 30, "job active", 1000));
  run.feed(job_line(7, 30, "job progress", 1010));
  run.feed(job_line(7, 30, "job completed", 1042, R"(,"attemptsMade":1)"));
  REQUIRE(run.sink.transactions.size() == 1);
  const json::Value& t = run.sink.transactions[0];
  CHECK(at(t, "type").as_string() == "transaction");
  CHECK(at(t, "transaction").as_string() == "emails send-welcome-email");
  CHECK(at(t, "transaction_info.source").as_string() == "task");
  CHECK(at(t, "contexts.trace.op").as_string() == "queue.process");
  CHECK(at(t, "contexts.trace.status").as_string() == "ok");
  // No duration on the end line: from the "active" line to the end.
  CHECK(at(t, "start_timestamp").as_double() == Approx((kT0 + 1000) / 1000.0));
  CHECK(at(t, "timestamp").as_double() == Approx((kT0 + 1042) / 1000.0));
  CHECK(at(t, "tags.queue").as_string() == "emails");
  CHECK(at(t, "tags").find("job.name")->as_string() == "send-welcome-email");
  CHECK(at(t, "environment").as_string() == "production");
  CHECK(at(t, "contexts.trace.trace_id").as_string().size() == 32);
  CHECK(t.find_path("contexts.trace.parent_span_id") == nullptr);
  CHECK(run.metrics.tracing.sampled.get() == 1);
  CHECK(run.metrics.events.get() == 0);
}

TEST_CASE("tracer: a job's duration field wins over its lines' times", "[tracer]") {
  Run run("tracing:\n  sample_rate: 1\n");
  run.feed(job_line(8, 30, "job active", 1000));
  run.feed(job_line(8, 30, "job completed", 1500, R"(,"duration":12.5)"));
  REQUIRE(run.sink.transactions.size() == 1);
  const json::Value& t = run.sink.transactions[0];
  CHECK((at(t, "timestamp").as_double() - at(t, "start_timestamp").as_double()) ==
        Approx(0.0125).margin(1e-6));
}

TEST_CASE("tracer: only a job's final failure ends it, as internal_error", "[tracer]") {
  Run run("tracing:\n  sample_rate: 1\n");
  const std::string attempts = R"(,"attemptsMade":1,"attempts":3)";
  run.feed(job_line(9, 30, "job active", 0));
  run.feed(job_line(9, 40, "job 9 failed, will retry", 10, attempts + kFailure));
  run.feed(job_line(9, 40, "job 9 failed", 20, R"(,"attemptsMade":2,"attempts":3)" + kFailure));
  run.feed(job_line(9, 30, "job enqueued", 25));
  CHECK(run.sink.transactions.empty());  // attempts left, and no word of a final failure
  // BullMQ: the last attempt made.
  run.feed(job_line(9, 30, "job active", 30));
  run.feed(job_line(9, 50, "job 9 failed", 45, R"(,"attemptsMade":3,"attempts":3)" + kFailure));
  // An UnrecoverableError: attempts were left, the app says it is over.
  run.feed(job_line(10, 50, "job 10 failed permanently", 50, attempts + kFailure));
  REQUIRE(run.sink.transactions.size() == 2);
  const json::Value& last_attempt = run.sink.transactions[0];
  CHECK(at(last_attempt, "contexts.trace.status").as_string() == "internal_error");
  // From the latest "active" line: the attempt, not the retries before it.
  CHECK(at(last_attempt, "start_timestamp").as_double() == Approx((kT0 + 30) / 1000.0));
  CHECK(at(run.sink.transactions[1], "contexts.trace.status").as_string() == "internal_error");
  // Without an "active" line: from the job's first line.
  CHECK(at(run.sink.transactions[1], "start_timestamp").as_double() == Approx((kT0 + 50) / 1000.0));
  // The failures are error events as before.
  CHECK(run.sink.errors.size() >= 2);
}

TEST_CASE("tracer: a job joins the trace of the request that enqueued it", "[tracer]") {
  Run run("tracing:\n  sample_rate: 1\n");
  // pino-http's request 18 enqueues job 1 (the enqueue line carries the job id), then completes.
  run.feed(
      R"({"level":30,"time":)" + std::to_string(kT0) +
      R"(,"pid":8978,"hostname":"vm","req":{"id":18,"method":"POST","url":"/api/jobs/email"},"jobId":"1","queue":"emails","msg":"job enqueued"})");
  run.feed(completion(18, "POST", "/api/jobs/email", 202, 3, 2));
  run.feed(job_line(1, 30, "job completed", 40, R"(,"duration":9)"));
  REQUIRE(run.sink.transactions.size() == 2);
  const json::Value& request = run.sink.transactions[0];
  const json::Value& job = run.sink.transactions[1];
  CHECK(at(job, "contexts.trace.op").as_string() == "queue.process");
  CHECK(at(job, "contexts.trace.trace_id").as_string() ==
        at(request, "contexts.trace.trace_id").as_string());
  CHECK(at(job, "contexts.trace.parent_span_id").as_string() ==
        at(request, "contexts.trace.span_id").as_string());
  CHECK(at(job, "contexts.trace.span_id").as_string() !=
        at(request, "contexts.trace.span_id").as_string());
}

TEST_CASE("tracer: the same jobs are kept on every run, the others cost a count", "[tracer]") {
  std::vector<std::string> lines;
  for (int id = 1; id <= 1000; ++id) lines.push_back(job_line(id, 30, "job completed", id));
  check_same_tenth_kept(lines);
}

TEST_CASE("tracer: a job id used again is timed from its new run", "[tracer]") {
  Run run("tracing:\n  sample_rate: 1\n");
  run.feed(job_line(3, 30, "job enqueued", 0));
  run.feed(job_line(3, 30, "job completed", 10));
  run.feed(job_line(3, 30, "job enqueued", 5000));
  run.feed(job_line(3, 30, "job completed", 5020));
  REQUIRE(run.sink.transactions.size() == 2);
  CHECK(at(run.sink.transactions[1], "start_timestamp").as_double() ==
        Approx((kT0 + 5000) / 1000.0));
}
