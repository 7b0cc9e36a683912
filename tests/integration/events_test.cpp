// The events replay --print builds from the fixtures: golden files compared field by field, and
// the failures a reader of Sentry cares most about checked one by one.
#include <catch2/catch.hpp>

#include <map>

#include "parsers/json.h"
#include "support/json_lines.h"
#include "support/process.h"

using namespace faultline::test;
using faultline::json::Value;

namespace {

const std::string kDefault = data_dir() + "/pino/a-default.ndjson";
const std::string kEdge = data_dir() + "/pino/e-edge-cases.ndjson";

// The golden files are made with the default configuration and this environment
// (scripts/update-golden.sh regenerates them after an intended change).
const std::map<std::string, std::string> kGoldenEnv = {{"SENTRY_RELEASE", "shop-api@2.4.1"},
                                                       {"SENTRY_ENVIRONMENT", "staging"}};

std::vector<Value> replay(const std::string& fixture, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"replay", "--print"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(fixture);
  RunResult r = run_faultline({.args = args, .env = kGoldenEnv});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json_lines(r.out);
}

// Every difference between two JSON values, as "path: expected X, got Y".
void diff(const Value& want, const Value& got, const std::string& path,
          std::vector<std::string>& out) {
  if (want.is_object() && got.is_object()) {
    for (const auto& m : want.as_object()) {
      const Value* g = got.find(m.key);
      if (g == nullptr) {
        out.push_back(path + "." + m.key + ": missing");
      } else {
        diff(m.value, *g, path + "." + m.key, out);
      }
    }
    for (const auto& m : got.as_object()) {
      if (want.find(m.key) == nullptr) out.push_back(path + "." + m.key + ": unexpected");
    }
    return;
  }
  if (want.is_array() && got.is_array()) {
    const auto& a = want.as_array();
    const auto& b = got.as_array();
    if (a.size() != b.size()) {
      out.push_back(path + ": " + std::to_string(a.size()) + " items expected, got " +
                    std::to_string(b.size()));
    }
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
      diff(a[i], b[i], path + "[" + std::to_string(i) + "]", out);
    }
    return;
  }
  if (!(want == got)) {
    out.push_back(path + ": expected " + faultline::json::to_string(want) + ", got " +
                  faultline::json::to_string(got));
  }
}

void compare_with_golden(const std::string& fixture, const std::string& golden_name) {
  const std::vector<Value> got = replay(fixture);
  const std::vector<Value> want =
      json_lines(read_file(source_dir() + "/tests/golden/" + golden_name));
  REQUIRE(want.size() == got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    std::vector<std::string> differences;
    diff(want[i], got[i], "event[" + std::to_string(i) + "]", differences);
    std::string report;
    for (const std::string& d : differences) report += d + "\n";
    INFO(report);
    CHECK(differences.empty());
  }
}

const Value& exception_values(const Value& e) {
  return *e.find_path("exception.values");
}
std::string str(const Value* v) {
  return v && v->is_string() ? v->as_string() : "";
}

const Value* event_with_type(const std::vector<Value>& events, const std::string& type) {
  for (const Value& e : events) {
    if (str(exception_values(e).as_array().back().find("type")) == type) return &e;
  }
  return nullptr;
}

const Value* event_for_case(const std::vector<Value>& events, const std::string& c) {
  for (const Value& e : events) {
    if (str(e.find_path("extra.case")) == c) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("events: a-default.ndjson matches its golden file field by field", "[events]") {
  compare_with_golden(kDefault, "a-default.events.ndjson");
}

TEST_CASE("events: e-edge-cases.ndjson matches its golden file field by field", "[events]") {
  compare_with_golden(kEdge, "e-edge-cases.events.ndjson");
}

TEST_CASE("events: the 2-level ECONNREFUSED chain keeps real types and linked causes", "[events]") {
  const auto events = replay(kDefault);
  const Value* e = nullptr;
  for (const Value& candidate : events) {
    if (str(exception_values(candidate).as_array().back().find("value")) ==
        "report 42 generation failed") {
      e = &candidate;
    }
  }
  REQUIRE(e != nullptr);
  const auto& values = exception_values(*e).as_array();
  REQUIRE(values.size() == 3);
  CHECK(str(values[0].find("type")) == "Error");
  CHECK(str(values[0].find("value")) == "connect ECONNREFUSED 127.0.0.1:1");
  CHECK(str(values[1].find("type")) == "DatabaseError");
  CHECK(str(values[1].find("value")) == "SELECT on table \"report_rows\" failed");
  CHECK(str(values[2].find("type")) == "Error");
  // The folded "a: b: c" message is cut back to the outer error's own message.
  for (int i = 0; i < 2; ++i) {
    CHECK(str(values[i].find_path("mechanism.source")) == "cause");
    CHECK(values[i].find_path("mechanism.parent_id")->as_int() == 1 - i);
  }
  CHECK(values[2].find_path("mechanism.exception_id")->as_int() == 0);
  // The handler's frame is in-app, node internals are not.
  const auto& frames = values[2].find_path("stacktrace.frames")->as_array();
  REQUIRE(!frames.empty());
  CHECK(frames.back().find("in_app")->as_bool());
  CHECK(str(frames.back().find("filename")) == "/tmp/pinolab/app.js");
  CHECK_FALSE(frames.front().find("in_app")->as_bool());
  CHECK(str(e->find("tags")->find("http.status_code")) == "500");
}

TEST_CASE("events: PaymentTimeoutError, KnexTimeoutError and AggregateError come out whole",
          "[events]") {
  const auto events = replay(kDefault);
  const Value* payment = event_with_type(events, "PaymentTimeoutError");
  REQUIRE(payment != nullptr);
  CHECK(str(payment->find("tags")->find("error.code")) == "PAYMENT_TIMEOUT");
  CHECK(str(payment->find("tags")->find("http.status_code")) == "504");
  CHECK(payment->find_path("contexts.PaymentTimeoutError.provider") != nullptr);

  // err.type is "Error"; the app set err.name, which is what the SDK reports.
  const Value* knex = event_with_type(events, "KnexTimeoutError");
  REQUIRE(knex != nullptr);
  CHECK(str(knex->find("level")) == "fatal");
  CHECK_FALSE(exception_values(*knex).as_array().back().find_path("mechanism.handled")->as_bool());

  const Value* aggregate = event_with_type(events, "AggregateError");
  REQUIRE(aggregate != nullptr);
  const auto& values = exception_values(*aggregate).as_array();
  REQUIRE(values.size() >= 3);
  CHECK(values.back().find_path("mechanism.is_exception_group")->as_bool());
  int children = 0;
  for (const Value& v : values) {
    const std::string source = str(v.find_path("mechanism.source"));
    if (source.rfind("errors[", 0) == 0) ++children;
  }
  CHECK(children >= 2);
  // Promise.any's AggregateError has a stack without frames: no empty frame list is sent.
  CHECK(values.back().find("stacktrace") == nullptr);
}

TEST_CASE("events: every Pino shape of e-edge-cases.ndjson is read right", "[events]") {
  // Secrets and noise rules off: this test looks at what was read, not at what was scrubbed.
  TempDir dir;
  const std::string config =
      dir.write("c.yaml", "rules:\n  presets: {secrets: false, express-noise: false}\n");
  const auto events = replay(kEdge, {"-c", config});

  const Value* cause = event_for_case(events, "err-with-cause");  // stdSerializers.errWithCause
  REQUIRE(cause != nullptr);
  const auto& chain = exception_values(*cause).as_array();
  REQUIRE(chain.size() == 3);
  CHECK(str(chain[0].find("value")) == "connect ECONNREFUSED 127.0.0.1:1");
  CHECK(str(chain[1].find("type")) == "DatabaseError");
  CHECK(str(chain[2].find("value")) == "invoice export failed");
  // The nested causes keep their own properties (the default serializer loses them).
  CHECK(cause->find("contexts")->find("DatabaseError (cause)") != nullptr);

  const Value* circular = event_for_case(events, "circular-cause");
  REQUIRE(circular != nullptr);
  CHECK(exception_values(*circular).as_array().size() <= 3);

  for (const Value& e : events) {
    if (str(e.find_path("extra.case")) != "non-error-err") continue;
    CHECK(!exception_values(e).as_array().empty());  // a string or a number err still reports
  }

  const Value* gcp = event_for_case(events, "gcp-style");  // severity WARN + httpRequest 503
  REQUIRE(gcp != nullptr);
  CHECK(str(gcp->find("level")) == "error");
  CHECK(str(gcp->find("tags")->find("http.status_code")) == "503");
  CHECK(str(gcp->find_path("logentry.formatted")) == "upstream degraded");

  const Value* prefix = event_for_case(events, "msg-prefix");
  REQUIRE(prefix != nullptr);
  CHECK(str(exception_values(*prefix).as_array().back().find("value")) ==
        "[billing] [invoice] pdf render failed");
  CHECK(exception_values(*prefix).as_array().back().find_path("mechanism.synthetic")->as_bool());

  // Lines at custom or info levels without an err are not events.
  for (const char* quiet : {"custom-levels", "only-custom-levels", "time-unix", "nested-key",
                            "duplicate-keys", "interpolation"}) {
    INFO(quiet);
    CHECK(event_for_case(events, quiet) == nullptr);
  }
}

TEST_CASE("events: the timestamp is the line's time in every time format", "[events]") {
  TempDir dir;
  const std::string input = dir.write(
      "times.ndjson", R"({"level":50,"time":1795502017505,"msg":"epoch ms"})"
                      "\n"
                      R"({"level":50,"time":1795502018,"msg":"epoch s"})"
                      "\n"
                      R"({"level":50,"time":"2026-11-24T06:33:37.549479100Z","msg":"iso nanos"})"
                      "\n"
                      R"({"level":50,"@timestamp":"2026-11-24T06:33:37.551Z","msg":"custom key"})"
                      "\n"
                      R"({"level":50,"msg":"no time"})"
                      "\n");
  const auto events = replay(input);
  REQUIRE(events.size() == 5);
  CHECK(events[0].find("timestamp")->as_double() == Approx(1795502017.505).epsilon(0));
  CHECK(events[1].find("timestamp")->as_double() == Approx(1795502018.0).epsilon(0));
  CHECK(events[2].find("timestamp")->as_double() == Approx(1795502017.549479).epsilon(0));
  CHECK(events[3].find("timestamp")->as_double() == Approx(1795502017.551).epsilon(0));
  // Without a time, the read time is used and the event says so.
  CHECK(str(events[4].find_path("extra.faultline_time")).find("read time") == 0);
}

TEST_CASE("events: release, environment and dist come from the environment", "[events]") {
  TempDir dir;
  const std::string input = dir.write("one.ndjson", R"({"level":50,"time":1795502017505,"msg":"x"})"
                                                    "\n");
  RunResult r = run_faultline({.args = {"replay", "--print", input},
                               .env = {{"GITHUB_SHA", "0123abc"}, {"SENTRY_DIST", "17"}}});
  REQUIRE(r.exit_code == 0);
  const auto events = json_lines(r.out);
  REQUIRE(events.size() == 1);
  CHECK(str(events[0].find("release")) == "0123abc");
  CHECK(str(events[0].find("environment")) == "production");
  CHECK(str(events[0].find("dist")) == "17");
}
