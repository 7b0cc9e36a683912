// Tracing end to end with the real binary (docs/tracing.md): the transactions `replay --print`
// builds from the a-default capture — one per completion line outside the health route, with
// the line's duration, name and status; the same sample on every run; checked by Sentry's own
// envelope parser and event schema — and a transaction rate limit that does not stop errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "parsers/json.h"
#include "support/process.h"
#include "support/receiver.h"

using namespace faultline::test;
using faultline::testing::Receiver;
using faultline::testing::Reply;
namespace json = faultline::json;

namespace {

const std::string kDefault = data_dir() + "/pino/a-default.ndjson";
const std::string kPeers = source_dir() + "/tests/peers";

std::vector<json::Value> parse_lines(const std::string& text) {
  std::vector<json::Value> out;
  for (const std::string& line : split_lines(text)) {
    auto v = json::parse(line);
    REQUIRE(v.ok());
    out.push_back(std::move(v).value());
  }
  return out;
}

bool is_transaction(const json::Value& event) {
  const json::Value* type = event.find("type");
  return type != nullptr && type->as_string() == "transaction";
}

bool is_job(const json::Value& event) {
  const json::Value* op = event.find_path("contexts.trace.op");
  return op != nullptr && op->as_string() == "queue.process";
}

// replay --print with `yaml` as the configuration: the requests' transactions, the jobs'
// transactions, and the error events.
struct Printed {
  std::vector<json::Value> transactions;
  std::vector<json::Value> jobs;
  std::vector<json::Value> errors;
};
Printed replay(const std::string& yaml, const std::string& input = kDefault) {
  TempDir dir;
  const std::string config = dir.write("faultline.yaml", yaml);
  RunResult r = run_faultline({.args = {"replay", "-c", config, "--print", input}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Printed p;
  for (json::Value& e : parse_lines(r.out)) {
    (is_transaction(e) ? (is_job(e) ? p.jobs : p.transactions) : p.errors).push_back(std::move(e));
  }
  return p;
}

// What @sentry/core 11's getSpanStatusFromHttpCode gives for the statuses of the capture.
std::string span_status(int status) {
  static const std::map<int, std::string> kStatus = {{0, "cancelled"},
                                                     {200, "ok"},
                                                     {201, "ok"},
                                                     {202, "ok"},
                                                     {204, "ok"},
                                                     {400, "invalid_argument"},
                                                     {401, "unauthenticated"},
                                                     {403, "permission_denied"},
                                                     {404, "not_found"},
                                                     {409, "already_exists"},
                                                     {413, "failed_precondition"},
                                                     {422, "invalid_argument"},
                                                     {429, "resource_exhausted"},
                                                     {500, "internal_error"},
                                                     {502, "internal_error"},
                                                     {503, "unavailable"},
                                                     {504, "deadline_exceeded"}};
  auto it = kStatus.find(status);
  return it == kStatus.end() ? "(status " + std::to_string(status) + " not in the table)"
                             : it->second;
}

// A completion line of the capture, by what a transaction shows of it.
struct Completion {
  double response_time_ms = 0;
  int status = 0;  // 0: null (aborted)
};
using Key = std::tuple<int64_t, std::string, std::string>;  // end time (ms), method, path

std::multimap<Key, Completion> completions_outside_health() {
  std::multimap<Key, Completion> out;
  for (const json::Value& line : parse_lines(read_file(kDefault))) {
    const json::Value* rt = line.find("responseTime");
    if (rt == nullptr) continue;
    std::string url = line.find_path("req.url")->as_string();
    url = url.substr(0, url.find('?'));
    if (url == "/health") continue;
    const json::Value* status = line.find_path("res.statusCode");
    out.emplace(Key{line.find("time")->as_int(), line.find_path("req.method")->as_string(), url},
                Completion{rt->as_double(), status->is_number() ? int(status->as_int()) : 0});
  }
  return out;
}

// The first `n` lines of a-default, for the tests that send (each envelope is a request).
std::string head_of_default(const TempDir& dir, size_t n) {
  std::string text;
  for (const std::string& line : split_lines(read_file(kDefault))) {
    if (n-- == 0) break;
    text += line + "\n";
  }
  return dir.write("head.ndjson", text);
}

bool peers_installed() {
  if (std::filesystem::exists(kPeers + "/node_modules/@sentry/core") &&
      std::filesystem::exists(kPeers + "/node_modules/ajv")) {
    return true;
  }
  WARN("tests/peers/node_modules is missing: run `npm ci` in tests/peers");
  return false;
}

RunResult validate(const std::vector<std::string>& args) {
  RunOptions options{.args = {"node", kPeers + "/validate_events.mjs"}};
  options.args.insert(options.args.end(), args.begin(), args.end());
  return run("/usr/bin/env", options);
}

}  // namespace

TEST_CASE("tracing: at rate 1 every completion outside the health route is a transaction",
          "[tracing]") {
  const Printed p = replay("tracing:\n  sample_rate: 1\n");
  std::multimap<Key, Completion> expected = completions_outside_health();
  REQUIRE(expected.size() == 287);  // 352 completions, 65 of them /health
  CHECK(p.transactions.size() == expected.size());
  std::set<std::string> names;
  for (const json::Value& t : p.transactions) {
    const std::string url = t.find_path("request.url")->as_string();
    const std::string path = url.substr(url.find('/', url.find("://") + 3));
    const double end = t.find("timestamp")->as_double();
    const Key key{std::llround(end * 1000), t.find_path("request.method")->as_string(), path};
    INFO(t.find("transaction")->as_string() << " at " << std::get<0>(key));
    auto it = expected.find(key);
    REQUIRE(it != expected.end());
    const Completion c = it->second;
    expected.erase(it);
    // The duration is the response time; the end is the completion line's time.
    CHECK((end - t.find("start_timestamp")->as_double()) * 1000 ==
          Approx(c.response_time_ms).margin(0.001));
    CHECK(t.find_path("contexts.trace.status")->as_string() == span_status(c.status));
    if (c.status != 0) {
      CHECK(t.find_path("tags")->find("http.status_code")->as_string() == std::to_string(c.status));
    }
    CHECK(t.find_path("contexts.trace.op")->as_string() == "http.server");
    CHECK(t.find_path("transaction_info.source")->as_string() == "url");
    names.insert(t.find("transaction")->as_string());
  }
  CHECK(expected.empty());
  for (const char* name :
       {"GET /api/users/:id", "GET /api/orders/:id/summary", "GET /api/inventory/:id",
        "GET /api/reports/:id", "POST /api/payments", "GET /api/search"}) {
    CHECK(names.count(name) == 1);
  }
  CHECK(names.count("GET /health") == 0);

  // The error events are the ones tracing off gives, each now in its request's trace.
  const Printed off = replay("");
  CHECK(off.transactions.empty());
  REQUIRE(p.errors.size() == off.errors.size());
  std::set<std::string> traces;
  for (const json::Value& t : p.transactions) {
    traces.insert(t.find_path("contexts.trace.trace_id")->as_string());
  }
  size_t linked = 0;
  for (size_t i = 0; i < p.errors.size(); ++i) {
    CHECK(p.errors[i].find("event_id")->as_string() == off.errors[i].find("event_id")->as_string());
    const json::Value* trace = p.errors[i].find_path("contexts.trace.trace_id");
    if (trace != nullptr && traces.count(trace->as_string()) != 0) ++linked;
  }
  // Every error logged within a request (all but the lines without a request id).
  CHECK(linked >= 45);
}

// The capture's worker jobs, by job id: what a job's end line says.
struct JobEnd {
  int64_t end_ms = 0;
  int64_t start_ms = 0;  // end − duration, else the time of the job's first line
  bool failed = false;
};

std::map<std::string, JobEnd> job_ends() {
  std::map<std::string, int64_t> first;
  std::map<std::string, JobEnd> out;
  for (const json::Value& line : parse_lines(read_file(kDefault))) {
    const json::Value* id = line.find("jobId");
    if (id == nullptr) continue;
    const int64_t time = line.find("time")->as_int();
    first.emplace(id->as_string(), time);
    const std::string msg = line.find("msg")->as_string();
    const bool completed = msg == "job completed";
    const bool failed = msg.find("failed permanently") != std::string::npos;
    if (!completed && !failed) continue;
    const json::Value* duration = line.find("duration");
    out[id->as_string()] = JobEnd{
        time, duration != nullptr ? time - duration->as_int() : first[id->as_string()], failed};
  }
  return out;
}

TEST_CASE("tracing: a worker job's end line is a queue.process transaction", "[tracing]") {
  const Printed p = replay("tracing:\n  sample_rate: 1\n");
  std::map<std::string, JobEnd> expected = job_ends();
  REQUIRE(expected.size() == 19);  // 11 completed, 8 failed permanently; retries are not ends
  CHECK(p.jobs.size() == expected.size());
  std::set<std::string> request_spans;
  for (const json::Value& t : p.transactions) {
    request_spans.insert(t.find_path("contexts.trace.span_id")->as_string());
  }
  for (const json::Value& t : p.jobs) {
    const std::string id =
        t.find_path("contexts.trace.data")->find("messaging.message.id")->as_string();
    INFO("job " << id);
    auto it = expected.find(id);
    REQUIRE(it != expected.end());
    const JobEnd e = it->second;
    expected.erase(it);
    CHECK(t.find("transaction")->as_string() == "emails send-welcome-email");
    CHECK(t.find_path("transaction_info.source")->as_string() == "task");
    CHECK(std::llround(t.find("timestamp")->as_double() * 1000) == e.end_ms);
    CHECK(std::llround(t.find("start_timestamp")->as_double() * 1000) == e.start_ms);
    CHECK(t.find_path("contexts.trace.status")->as_string() ==
          (e.failed ? "internal_error" : "ok"));
    CHECK(t.find_path("tags.queue")->as_string() == "emails");
    CHECK(t.find_path("tags")->find("job.name")->as_string() == "send-welcome-email");
    // A child of the request that enqueued it (its "job enqueued" line names the request).
    const json::Value* parent = t.find_path("contexts.trace.parent_span_id");
    REQUIRE(parent != nullptr);
    CHECK(request_spans.count(parent->as_string()) == 1);
  }
  CHECK(expected.empty());
}

TEST_CASE("tracing: at rate 0.1 about a tenth, the same tenth on every run", "[tracing]") {
  const std::string yaml = "tracing:\n  sample_rate: 0.1\n";
  const auto ids = [](const Printed& p) {
    std::vector<std::string> out;
    for (const json::Value& t : p.transactions) out.push_back(t.find("event_id")->as_string());
    return out;
  };
  const Printed first = replay(yaml);
  CHECK(first.transactions.size() >= 15);
  CHECK(first.transactions.size() <= 45);
  CHECK(ids(replay(yaml)) == ids(first));
  for (const json::Value& t : first.transactions) {
    CHECK(t.find_path("contexts.trace.data")->find("sentry.sample_rate")->as_double() == 0.1);
  }
}

TEST_CASE("tracing: transactions match Sentry's schema and parse with parseEnvelope",
          "[tracing][peers]") {
  if (!peers_installed()) return;
  TempDir dir;
  const std::string printed = dir.file("printed");
  RunResult r = run_faultline(
      {.args = {"replay", "-c", dir.write("print.yaml", "tracing:\n  sample_rate: 1\n"), "--print",
                kDefault},
       .stdout_file = printed});
  REQUIRE(r.exit_code == 0);

  // Through the loopback receiver, as envelopes: a part of the capture, sampled, sent four at a
  // time, to keep the requests few.
  Receiver rx;
  const std::string config =
      dir.write("send.yaml", "sentry:\n  dsn: \"" + rx.dsn() +
                                 "\"\ndelivery:\n  spool_dir: " + dir.file("spool") +
                                 "\n  concurrency: 4\ntracing:\n  sample_rate: 0.3\n");
  RunResult sent =
      run_faultline({.args = {"replay", "-c", config, "--timeout", "60", head_of_default(dir, 240)},
                     .timeout = std::chrono::milliseconds(90'000)});
  INFO(sent.err);
  REQUIRE(sent.exit_code == 0);
  const std::string bodies = dir.file("bodies");
  std::filesystem::create_directories(bodies);
  size_t transactions = 0;
  for (const auto& q : rx.requests()) {
    dir.write("bodies/" + std::to_string(q.index) + ".envelope", q.envelope);
    const auto& items = q.parsed_envelope.items;
    if (!items.empty() && items[0].header.find("type")->as_string() == "transaction") {
      ++transactions;
    }
  }
  CHECK(transactions >= 10);

  RunResult v = validate({bodies, "--events", printed});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(v.out.find(std::to_string(rx.request_count() + split_lines(read_file(printed)).size()) +
                   " passed, 0 failed") != std::string::npos);
}

TEST_CASE("tracing: validate_events.mjs reports what is wrong with a transaction",
          "[tracing][peers]") {
  if (!peers_installed()) return;
  TempDir dir;
  const std::string bad =
      R"({"event_id":"0123456789abcdef0123456789abcdef","type":"transaction","transaction":"",)"
      R"("transaction_info":{"source":"path"},"start_timestamp":"2026-01-01","timestamp":1795502011.2,)"
      R"("platform":"node","contexts":{"trace":{"trace_id":"0123456789abcdef0123456789abcdef",)"
      R"("span_id":"0123456789abcdef","status":"unknown_error"}}})";
  RunResult v = validate({"--events", dir.write("bad.ndjson", bad + "\n")});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 1);
  for (const char* expected : {
           "transaction must be a non-empty string",
           "transaction_info.source must be one of",
           "start_timestamp must be epoch seconds",
           "spans must be an array",
           "contexts.trace.op must be a non-empty string",
           "contexts.trace.status must be one of Relay's span statuses, got \"unknown_error\"",
       }) {
    CHECK(v.out.find(expected) != std::string::npos);
  }
}

TEST_CASE("tracing: a transaction rate limit does not stop error events", "[tracing][delivery]") {
  TempDir dir;
  const std::string input = head_of_default(dir, 240);
  const Printed printed = replay("tracing:\n  sample_rate: 1\n", input);
  REQUIRE(printed.errors.size() >= 10);
  REQUIRE(printed.transactions.size() >= 50);
  std::set<std::string> errors, transactions;
  for (const json::Value& e : printed.errors) errors.insert(e.find("event_id")->as_string());
  for (const json::Value& t : printed.transactions) {
    transactions.insert(t.find("event_id")->as_string());
  }

  Receiver rx;
  // Sentry's answer to the first envelope: transactions are over quota for an hour.
  rx.push(Reply::rate_limits(200, "3600:transaction:key"));
  const std::string config =
      dir.write("faultline.yaml", "sentry:\n  dsn: \"" + rx.dsn() + "\"\ndelivery:\n  spool_dir: " +
                                      dir.file("spool") + "\ntracing:\n  sample_rate: 1\n");
  RunResult r = run_faultline({.args = {"replay", "-c", config, "--timeout", "60", input},
                               .timeout = std::chrono::milliseconds(90'000)});
  INFO(r.err);
  // Dropping a rate-limited sample is no loss: the replay succeeds.
  CHECK(r.exit_code == 0);
  std::set<std::string> got_errors;
  size_t got_transactions = 0;
  for (const std::string& id : rx.accepted_event_ids()) {
    if (errors.count(id) != 0) got_errors.insert(id);
    if (transactions.count(id) != 0) ++got_transactions;
  }
  CHECK(got_errors == errors);
  // At most the one sent before Sentry said so.
  CHECK(got_transactions <= 1);
  CHECK(rx.request_count() <= errors.size() + 1);
}
