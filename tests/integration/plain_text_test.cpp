// Plain-text errors (docs/sources.md) through the real binary: Express's default handler output
// (a-default.stderr.txt) replayed, Node's crash reports written between JSON lines through pipe
// and exec (the app's bytes untouched), the JSON line and the crash report of one failure as one
// event, and ordinary console output giving none.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "parsers/json.h"
#include "support/json_lines.h"
#include "support/process.h"

using namespace faultline::test;
using faultline::json::Value;
using namespace std::chrono_literals;

namespace {

std::string text(const Value* v) {
  REQUIRE(v != nullptr);
  return v->is_string() ? v->as_string() : faultline::json::to_string(*v);
}

const faultline::json::Array& exceptions(const Value& event) {
  const Value* values = event.find_path("exception.values");
  REQUIRE(values != nullptr);
  return values->as_array();
}

// Lines [first, last] (1-based) of a file in tests/data, each with its newline.
std::string data_lines(const std::string& name, size_t first, size_t last) {
  const std::vector<std::string> lines = read_lines(data_dir() + "/" + name);
  REQUIRE(lines.size() >= last);
  std::string out;
  for (size_t i = first - 1; i < last; ++i) out += lines[i] + "\n";
  return out;
}

// Node 20's report of a TypeError thrown in a timer, and of an async rejection with a cause.
std::string timer_crash() {
  return data_lines("plain/node-crashes.stderr.txt", 19, 29);
}
std::string cause_crash() {
  return data_lines("plain/node-crashes.stderr.txt", 42, 63);
}

std::string record(int64_t ms, const std::string& fields) {
  return R"({"level":30,"time":)" + std::to_string(ms) + R"(,"pid":7,"hostname":"api-1",)" +
         fields + "}\n";
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("plain text: Express's default handler output replayed, one event per dump",
          "[plain_text]") {
  TempDir dir;
  const std::string config =
      dir.write("faultline.yaml", "rules:\n  presets: {secrets: true, express-noise: false}\n");
  RunResult r = run_faultline(
      {.args = {"replay", "-c", config, "--print", data_dir() + "/pino/a-default.stderr.txt"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("759 lines read, 0 JSON, 0 non-JSON, 50 plain-text error dumps (759 lines)") !=
        std::string::npos);
  const std::vector<Value> events = json_lines(r.out);
  REQUIRE(events.size() == 50);
  std::map<std::string, int> types;
  for (const Value& e : events) {
    CHECK(text(e.find("level")) == "error");
    CHECK(text(e.find("logger")) == "console");
    CHECK(exceptions(e).back().find_path("mechanism.handled")->as_bool());
    types[text(exceptions(e).back().find("type"))]++;
  }
  CHECK(types == std::map<std::string, int>{{"AggregateError", 5},
                                            {"Error", 15},
                                            {"PaymentTimeoutError", 10},
                                            {"SyntaxError", 9},
                                            {"TypeError", 11}});

  // The first dump: a cause chain with the properties pino's default serializer drops.
  const Value& report = events.front();
  const auto& chain = exceptions(report);
  REQUIRE(chain.size() == 3);
  CHECK(text(chain[0].find("value")) == "connect ECONNREFUSED 127.0.0.1:1");
  CHECK(text(chain[0].find_path("mechanism.source")) == "cause");
  CHECK(text(chain[1].find("type")) == "DatabaseError");
  CHECK(text(chain[2].find("value")) == "report 42 generation failed");
  const auto& frames = chain[2].find_path("stacktrace.frames")->as_array();
  REQUIRE(frames.size() == 2);
  CHECK(text(frames[0].find("function")) == "process.processTicksAndRejections");
  CHECK(text(frames[1].find("filename")) == "/tmp/pinolab/app.js");
  CHECK(frames[1].find("lineno")->as_int() == 355);
  CHECK(frames[1].find("in_app")->as_bool());
  CHECK(text(report.find("contexts")->find("DatabaseError (cause)")->find("code")) ==
        "DB_QUERY_FAILED");
  CHECK(report.find("contexts")->find("Error (cause.cause)")->find("errno")->as_int() == -111);
  CHECK(text(report.find_path("extra.faultline_plain_text.lines")) == "1-18");

  // An AggregateError: an exception group of its three errors.
  for (const Value& e : events) {
    if (text(exceptions(e).back().find("type")) != "AggregateError") continue;
    const auto& group = exceptions(e);
    REQUIRE(group.size() == 4);
    CHECK(group.back().find_path("mechanism.is_exception_group")->as_bool());
    CHECK(text(group[0].find_path("mechanism.source")) == "errors[2]");
    break;
  }
}

TEST_CASE("plain text: with the default rules, 4xx dumps are dropped like 4xx records",
          "[plain_text]") {
  RunResult r =
      run_faultline({.args = {"replay", "--print", data_dir() + "/pino/a-default.stderr.txt"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The 400s of body-parser and the 409s of the stock check are client errors.
  CHECK(json_lines(r.out).size() == 37);
  CHECK(r.err.find("37 events (13 dropped by rules)") != std::string::npos);
}

TEST_CASE(
    "plain text: a crash between JSON lines through pipe, the bytes passed through as they are",
    "[plain_text]") {
  TempDir dir;
  std::string input = record(1795502011000, R"("msg":"listening on 3000")");
  input += "Server listening on port 3000\n";  // console output: no event
  input += "GET /api/orders 500 - Internal Server Error\n";
  input += record(
      1795502011100,
      R"J("level":50,"err":{"type":"Error","message":"query failed","stack":"Error: query failed\n    at q (/srv/app/db.js:1:1)"},"msg":"query failed")J");
  input += timer_crash();
  input += record(1795502011300, R"("msg":"shutting down")");
  const std::string in_path = dir.write("in.txt", input);
  const std::string out_path = dir.file("out.txt");
  const std::string events_path = dir.file("events.ndjson");
  RunResult r = run_faultline(
      {.args = {"pipe", "--events", events_path}, .stdin_file = in_path, .stdout_file = out_path});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(out_path) == input);
  const std::vector<std::string> lines = read_lines(events_path);
  REQUIRE(lines.size() == 2);
  std::vector<Value> events;
  for (const std::string& l : lines) events.push_back(faultline::json::parse(l).value());
  CHECK(text(exceptions(events[0]).back().find("value")) == "query failed");
  const Value& crash = events[1];
  CHECK(text(crash.find("level")) == "fatal");
  CHECK(exceptions(crash).back().find_path("mechanism.handled")->as_bool() == false);
  CHECK(text(exceptions(crash).back().find("type")) == "TypeError");
  CHECK(exceptions(crash).back().find_path("stacktrace.frames")->as_array().size() == 4);
  CHECK(text(crash.find_path("contexts.runtime.version")) == "v20.20.2");
  CHECK(r.err.find("2 non-JSON, 1 plain-text error dump (11 lines)") != std::string::npos);
}

TEST_CASE("plain text: the uncaught line and the crash report of one failure are one event",
          "[plain_text]") {
  TempDir dir;
  SECTION("pipe: what uncaughtExceptionMonitor logs, then Node's report") {
    // Live, the window is wall time: the record's time is now.
    const std::string input =
        record(
            now_ms(),
            R"J("level":60,"err":{"type":"Error","message":"db down","stack":"Error: db down\n    at main (/tmp/app/crash-async-cause.js:3:13)","code":"E_DB"},"msg":"uncaught exception")J") +
        cause_crash();
    const std::string events_path = dir.file("events.ndjson");
    RunResult r = run_faultline({.args = {"pipe", "--events", events_path}, .stdin_data = input});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == input);
    const std::vector<std::string> lines = read_lines(events_path);
    REQUIRE(lines.size() == 1);
    const Value event = faultline::json::parse(lines[0]).value();
    // The richer stack (the report's: a cause, 8 frames each), the record's own fields.
    const auto& chain = exceptions(event);
    REQUIRE(chain.size() == 2);
    CHECK(text(chain[0].find("value")) == "connect ECONNREFUSED 127.0.0.1:5432");
    CHECK(chain[1].find_path("stacktrace.frames")->as_array().size() == 8);
    CHECK(text(event.find("level")) == "fatal");
    CHECK(text(event.find("server_name")) == "api-1");
    CHECK(text(event.find_path("logentry.formatted")) == "uncaught exception");
    CHECK(text(event.find_path("extra.faultline_plain_text.kind")) == "crash report");
  }
  SECTION("replay: Express's default handler and the app's error line of one request") {
    // One request of the fixture run: its error line and completion from a-default.ndjson, the
    // dump Express printed for it (a-default.stderr.txt) between them, as `2>&1` merges them.
    std::string input;
    for (const std::string& line : read_lines(data_dir() + "/pino/a-default.ndjson")) {
      if (line.find("\"req\":{\"id\":5,") == std::string::npos) continue;
      input += line + "\n";
      if (line.find("report 42 generation failed") != std::string::npos) {
        input += data_lines("pino/a-default.stderr.txt", 1, 18);
      }
    }
    const std::string path = dir.write("merged.log", input);
    RunResult r = run_faultline({.args = {"replay", "--print", path}});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::vector<Value> events = json_lines(r.out);
    REQUIRE(events.size() == 1);
    const Value& event = events[0];
    CHECK(text(event.find("transaction")) == "GET /api/reports/:id");
    CHECK(text(event.find("tags")->find("request_id")) == "5");
    CHECK(exceptions(event).size() == 3);
    // What only the dump knew: the causes' own properties.
    CHECK(text(event.find("contexts")->find("DatabaseError (cause)")->find("code")) ==
          "DB_QUERY_FAILED");
    CHECK(r.err.find("1 plain-text error dump (18 lines)") != std::string::npos);
  }
}

TEST_CASE("plain text: exec reads the crash from the app's stderr, its status kept",
          "[plain_text]") {
  TempDir dir;
  dir.write("crash.txt", cause_crash());
  const std::string out_line = record(1795502011000, R"("msg":"starting")");
  dir.write("out.txt", out_line);
  const std::string events_path = dir.file("events.ndjson");
  const std::string script = "cat \"$0/out.txt\"; cat \"$0/crash.txt\" >&2; exit 1";
  RunResult r = run_faultline(
      {.args = {"exec", "--events", events_path, "--", "/bin/sh", "-c", script, dir.path()},
       .timeout = 60s});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out == out_line);
  CHECK(r.err.find(cause_crash()) != std::string::npos);  // the app's stderr, untouched
  const std::vector<std::string> lines = read_lines(events_path);
  REQUIRE(lines.size() == 1);
  const Value event = faultline::json::parse(lines[0]).value();
  CHECK(text(event.find("level")) == "fatal");
  CHECK(text(exceptions(event).back().find("value")) == "db down");
  CHECK(text(event.find("tags")->find("error.code")) == "E_DB");
}

TEST_CASE("plain text: detect.plain_text false leaves every dump a non-JSON line", "[plain_text]") {
  TempDir dir;
  const std::string config = dir.write("faultline.yaml", "detect:\n  plain_text: false\n");
  const std::string input = dir.write("in.txt", timer_crash() + cause_crash());
  RunResult r = run_faultline({.args = {"replay", "-c", config, "--print", input}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(r.err.find("33 lines read, 0 JSON, 33 non-JSON; 0 errors detected, 0 events") !=
        std::string::npos);
}

TEST_CASE("plain text: run follows each input's detect.plain_text", "[plain_text]") {
  TempDir dir;
  const std::string uncaught = record(
      now_ms(),
      R"J("level":60,"err":{"type":"Error","message":"db down","stack":"Error: db down\n    at main (/tmp/app/crash-async-cause.js:3:13)"},"msg":"uncaught exception")J");
  // a.log: the fatal line and its crash report (one event at once: they pair); b.log, whose
  // input turns plain text off: the same report, then an error record.
  dir.write("a.log", uncaught + cause_crash());
  dir.write("b.log", cause_crash() + record(now_ms(), R"J("level":50,"msg":"b failed")J"));
  const std::string config = dir.write(
      "faultline.yaml", "inputs:\n  - path: \"" + dir.file("a.log") +
                            "\"\n    start_at: beginning\n  - path: \"" + dir.file("b.log") +
                            "\"\n    start_at: beginning\n    detect: {plain_text: false}\n" +
                            "state:\n  dir: \"" + dir.file("state") + "\"\n");
  const std::string events_path = dir.file("events.ndjson");
  Spawned daemon(faultline_binary(), {.args = {"run", "-c", config, "--events", events_path}});
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (read_lines(events_path).size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  daemon.signal(SIGTERM);
  RunResult r = daemon.wait(20s);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const std::vector<std::string> lines = read_lines(events_path);
  REQUIRE(lines.size() == 2);
  std::map<std::string, Value> by_message;
  for (const std::string& l : lines) {
    Value e = faultline::json::parse(l).value();
    by_message.emplace(text(exceptions(e).back().find("value")), std::move(e));
  }
  REQUIRE(by_message.count("db down") == 1);
  CHECK(exceptions(by_message["db down"]).size() == 2);  // the report's cause, from a.log
  CHECK(by_message.count("b failed") == 1);
  CHECK(r.err.find("22 non-JSON, 1 plain-text error dump (22 lines)") != std::string::npos);
}
