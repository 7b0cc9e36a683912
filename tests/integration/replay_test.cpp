#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>

#include "parsers/json.h"
#include "support/json_lines.h"
#include "support/process.h"

using namespace faultline::test;
using faultline::json::Value;

namespace {

const std::string kDefault = data_dir() + "/pino/a-default.ndjson";

std::string text(const Value* v) {
  if (v == nullptr) return "";
  return v->is_string() ? v->as_string() : faultline::json::to_string(*v);
}

// What the fixture says, worked out here from the raw lines and independently of faultline.
struct FixtureFacts {
  std::set<std::string> failing_requests;  // request ids with a level ≥ 50 line or a 5xx completion
  int failures_without_request = 0;        // level ≥ 50 lines with no request id (not jobs)
  int job_failures = 0;                    // worker lines at level ≥ 50
  std::map<std::string, std::set<std::pair<int64_t, std::string>>> lines_of_request;
  std::set<int64_t> error_times;  // times of every line that can be an event's line
};

FixtureFacts facts_of(const std::string& path) {
  FixtureFacts f;
  for (const std::string& raw : read_lines(path)) {
    auto parsed = faultline::json::parse(raw);
    REQUIRE(parsed.ok());
    const Value& r = *parsed;
    const int level = static_cast<int>(r.find("level")->as_double());
    const int64_t time = r.find("time")->as_int();
    const bool job = r.find("jobId") != nullptr;
    const Value* status = r.find_path("res.statusCode");
    const bool five_xx = status && status->is_number() && status->as_double() >= 500;
    std::string id = text(r.find_path("req.id"));
    if (id.empty()) id = text(r.find("reqId"));
    if (job) {
      if (level >= 50) {
        ++f.job_failures;
        f.error_times.insert(time);
      }
      continue;
    }
    if (level >= 50 || five_xx) f.error_times.insert(time);
    if (id.empty()) {
      if (level >= 50) ++f.failures_without_request;
      continue;
    }
    f.lines_of_request[id].insert({time, text(r.find("msg"))});
    if (level >= 50 || five_xx) f.failing_requests.insert(id);
  }
  return f;
}

}  // namespace

TEST_CASE("replay: one event per failure on a-default.ndjson, enriched", "[replay]") {
  // Correlation alone: express-noise would drop the 4xx failures this test counts by hand.
  TempDir dir;
  const std::string config =
      dir.write("faultline.yaml", "rules:\n  presets: {secrets: true, express-noise: false}\n");
  RunResult r = run_faultline({.args = {"replay", "-c", config, "--print", kDefault},
                               .env = {{"SENTRY_RELEASE", "shop@2.4.1"}}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const FixtureFacts facts = facts_of(kDefault);
  const std::vector<Value> events = json_lines(r.out);
  const size_t expected =
      facts.failing_requests.size() + facts.failures_without_request + facts.job_failures;
  CHECK(events.size() == expected);

  std::set<std::string> ids;
  for (const Value& e : events) {
    ids.insert(e.find("event_id")->as_string());
    CHECK(e.find("release")->as_string() == "shop@2.4.1");
    CHECK(e.find("environment")->as_string() == "production");
    CHECK(e.find("platform")->as_string() == "node");
    // The timestamp is the error line's own time, never the time of processing.
    const int64_t ms = std::llround(e.find("timestamp")->as_double() * 1000);
    CHECK(facts.error_times.count(ms) == 1);
    // pino-http's placeholder never becomes an event of its own.
    for (const Value& ex : e.find_path("exception")->find("values")->as_array()) {
      CHECK(text(ex.find("value")).rfind("failed with status code", 0) == std::string::npos);
    }
    const std::string request_id = text(e.find_path("tags")->find("request_id"));
    const Value* status = e.find("tags")->find("http.status_code");
    if (status != nullptr && std::stoi(status->as_string()) >= 500) {
      CHECK(e.find_path("request.url") != nullptr);
      CHECK(!text(e.find("transaction")).empty());
      // Breadcrumbs are lines of this request only.
      const auto& own = facts.lines_of_request.at(request_id);
      if (const Value* crumbs = e.find_path("breadcrumbs.values")) {
        for (const Value& c : crumbs->as_array()) {
          const int64_t t = std::llround(c.find("timestamp")->as_double() * 1000);
          CHECK(own.count({t, text(c.find("message"))}) == 1);
        }
      }
    }
  }
  CHECK(ids.size() == events.size());
  CHECK(r.err.find("728 lines read, 728 JSON, 0 non-JSON") != std::string::npos);
  CHECK(r.err.find(std::to_string(expected) + " events") != std::string::npos);
}

TEST_CASE("replay: event ids are stable across runs", "[replay]") {
  RunResult a = run_faultline({.args = {"replay", "--print", kDefault}});
  RunResult b = run_faultline({.args = {"replay", "--print", kDefault}});
  REQUIRE(a.exit_code == 0);
  std::vector<std::string> ids_a, ids_b;
  for (const Value& e : json_lines(a.out)) ids_a.push_back(e.find("event_id")->as_string());
  for (const Value& e : json_lines(b.out)) ids_b.push_back(e.find("event_id")->as_string());
  CHECK(ids_a == ids_b);
  for (const std::string& id : ids_a) {
    CHECK(id.size() == 32);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
}

TEST_CASE("replay: stdin as '-' and a file give the same events", "[replay]") {
  RunResult file = run_faultline({.args = {"replay", "--print", kDefault}});
  RunResult piped = run_faultline({.args = {"replay", "--print", "-"}, .stdin_file = kDefault});
  REQUIRE(piped.exit_code == 0);
  CHECK(piped.out == file.out);
}

TEST_CASE("replay: non-JSON lines are counted and skipped, never fatal", "[replay]") {
  TempDir dir;
  const std::string input =
      dir.write("mixed.log",
                "Server starting...\n"
                "{\"level\":50,\"time\":1795502011075,\"msg\":\"real error\"}\n"
                "    at Object.<anonymous> (/app/index.js:1:1)\n"
                "{ this starts like JSON but is not\n"
                "{\"level\":50,\"time\":1795502011076,\"msg\":\"cut in the mid\n"
                "\xff\xfe binary junk\n"
                "{\"level\":50,\"time\":1795502011077,\"msg\":\"caf\xc3\"}\n"
                "{\"level\":50,\"time\":1795502011078,\"msg\":\"no newline at the end\"}");
  RunResult r = run_faultline({.args = {"replay", "--print", input}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(json_lines(r.out).size() == 3);
  CHECK(r.err.find("8 lines read, 3 JSON, 5 non-JSON, 1 with invalid UTF-8") != std::string::npos);
  CHECK(r.err.find("mixed.log:4:") != std::string::npos);  // the broken record is reported
}

TEST_CASE("replay: a line over the cap is skipped and reported once, the rest is read",
          "[replay]") {
  TempDir dir;
  const std::string long_line =
      "{\"level\":50,\"time\":1795502011075,\"msg\":\"" + std::string(3 << 20, 'a') + "\"}\n";
  const std::string input =
      dir.write("long.log", long_line + long_line +
                                "{\"level\":50,\"time\":1795502011075,\"msg\":\"after\"}\n");
  RunResult r = run_faultline({.args = {"replay", "--print", input}});
  CHECK(r.exit_code == 0);
  const auto events = json_lines(r.out);
  REQUIRE(events.size() == 1);
  CHECK(r.err.find("2 too long") != std::string::npos);
  size_t reports = 0;
  for (size_t p = r.err.find("longer than"); p != std::string::npos;
       p = r.err.find("longer than", p + 1)) {
    ++reports;
  }
  CHECK(reports == 1);
}

TEST_CASE("replay: several inputs are separate scopes with the ids each has alone", "[replay]") {
  // The same request id in two files is two requests; and each file's events keep the ids they
  // get when the file is replayed on its own.
  TempDir dir;
  const std::string a = dir.write(
      "a-file-with-a-long-name.ndjson",
      R"J({"level":30,"time":1795502011075,"reqId":"req-1","msg":"a: start"})J"
      "\n"
      R"J({"level":50,"time":1795502011076,"reqId":"req-1","err":{"type":"Error","message":"a failed","stack":"Error: a failed\n    at a (/app/a.js:1:1)"},"msg":"a failed"})J"
      "\n");
  const std::string b = dir.write(
      "b.ndjson",
      R"J({"level":30,"time":1795502011077,"reqId":"req-1","msg":"b: start"})J"
      "\n"
      R"J({"level":30,"time":1795502011078,"reqId":"req-1","res":{"statusCode":503},"responseTime":2,"msg":"request completed"})J"
      "\n");
  RunResult both = run_faultline({.args = {"replay", "--print", a, b}});
  RunResult only_a = run_faultline({.args = {"replay", "--print", a}});
  RunResult only_b = run_faultline({.args = {"replay", "--print", b}});
  REQUIRE(both.exit_code == 0);
  const auto events = json_lines(both.out);
  REQUIRE(events.size() == 2);  // a's error and b's 503, not one merged event
  std::set<std::string> ids;
  for (const Value& e : events) ids.insert(e.find("event_id")->as_string());
  const auto alone_a = json_lines(only_a.out);
  const auto alone_b = json_lines(only_b.out);
  REQUIRE(alone_a.size() == 1);
  REQUIRE(alone_b.size() == 1);
  CHECK(ids.count(alone_a[0].find("event_id")->as_string()) == 1);
  CHECK(ids.count(alone_b[0].find("event_id")->as_string()) == 1);
  for (const Value& e : events) {
    // a's error never got b's completion status.
    if (text(e.find_path("logentry.formatted")) == "a failed" ||
        text(e.find_path("exception.values")->as_array().back().find("value")) == "a failed") {
      CHECK(e.find("tags")->find("http.status_code") == nullptr);
    }
  }
}
