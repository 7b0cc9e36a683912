// exception_values(): ids, parent ids, sources and order of linked errors, checked against what
// @sentry/core 11.12.0 itself builds. The "pino" and "sentry" strings below are printed by
// tests/peers/linked_errors.mjs from the same JavaScript errors: pino-std-serializers' output
// is parsed by faultline, and the result must equal the SDK's exception.values (faultline adds
// only abs_path to frames, which Relay would otherwise copy from filename).
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <utility>

#include "agent/sentry/exception.h"
#include "parsers/json.h"
#include "parsers/pino_error.h"

using faultline::sentry::exception_values;
using faultline::sentry::ExceptionOptions;
namespace json = faultline::json;

namespace {

faultline::ErrorTree tree_of(std::string_view pino_json) {
  auto value = json::parse(pino_json);
  REQUIRE(value.ok());
  faultline::PinoErrorOptions options;
  options.stack.app_root = "/srv/app";
  return faultline::parse_pino_error(*value, options);
}

// exception.values without abs_path, serialized.
std::string without_abs_path(json::Array values) {
  for (json::Value& v : values) {
    json::Value* frames = v.find("stacktrace") ? v.find("stacktrace")->find("frames") : nullptr;
    if (frames == nullptr) continue;
    for (json::Value& frame : frames->as_array()) {
      REQUIRE(frame.as_object().erase("abs_path"));
    }
  }
  return json::to_string(json::Value(std::move(values)));
}

json::Value fixture_err(const char* file, std::string_view needle) {
  std::ifstream in(std::string(FAULTLINE_DATA_DIR) + "/pino/" + file);
  REQUIRE(in.good());
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) == std::string::npos) continue;
    auto record = json::parse(line);
    REQUIRE(record.ok());
    return *record->find("err");
  }
  FAIL("no line of " << file << " contains " << needle);
  return {};
}

ExceptionOptions sdk_limit() {
  ExceptionOptions options;
  options.max_linked = 5;  // linkedErrorsIntegration's default
  return options;
}

}  // namespace

TEST_CASE("exception: the verified AggregateError example of SENTRY-PROTOCOL.md §3",
          "[exception][parity]") {
  // AggregateError('many', [Error('query failed', {cause: Error('db down')}), TypeError('x')])
  // logged with pino's default serializer, which folds the cause into the child's stack.
  auto tree = tree_of(
      R"j({"type":"AggregateError","message":"many","stack":"AggregateError: many\n    at main (/srv/app/main.js:1:1)","aggregateErrors":[{"type":"Error","message":"query failed: db down","stack":"Error: query failed\n    at query (/srv/app/db.js:10:5)\ncaused by: Error: db down\n    at connect (/srv/app/db.js:3:9)"},{"type":"TypeError","message":"x","stack":"TypeError: x"}]})j");
  auto result = exception_values(std::move(tree.root), sdk_limit());
  CHECK(result.dropped == 0);
  CHECK(result.contexts.empty());
  CHECK(
      without_abs_path(result.values) ==
      R"j([{"type":"TypeError","value":"x","mechanism":{"handled":true,"type":"chained","source":"errors[1]","exception_id":3,"parent_id":0}},{"type":"Error","value":"db down","stacktrace":{"frames":[{"filename":"/srv/app/db.js","module":"db","function":"connect","lineno":3,"colno":9,"in_app":true}]},"mechanism":{"handled":true,"type":"chained","source":"cause","exception_id":2,"parent_id":1}},{"type":"Error","value":"query failed","stacktrace":{"frames":[{"filename":"/srv/app/db.js","module":"db","function":"query","lineno":10,"colno":5,"in_app":true}]},"mechanism":{"handled":true,"type":"chained","source":"errors[0]","exception_id":1,"parent_id":0}},{"type":"AggregateError","value":"many","stacktrace":{"frames":[{"filename":"/srv/app/main.js","module":"main","function":"main","lineno":1,"colno":1,"in_app":true}]},"mechanism":{"handled":true,"type":"faultline","is_exception_group":true,"exception_id":0}}])j");
  // The frames as sent carry abs_path.
  CHECK(
      json::to_string(result.values[1].find("stacktrace")->find("frames")->as_array()[0]) ==
      R"j({"filename":"/srv/app/db.js","abs_path":"/srv/app/db.js","module":"db","function":"connect","lineno":3,"colno":9,"in_app":true})j");
}

TEST_CASE("exception: an AggregateError's own cause comes before its children (errWithCause)",
          "[exception][parity]") {
  auto tree = tree_of(
      R"j({"type":"AggregateError","message":"group","stack":"AggregateError: group","aggregateErrors":[{"type":"RangeError","message":"k0","stack":"RangeError: k0","cause":{"type":"Error","message":"c1","stack":"Error: c1","cause":{"type":"Error","message":"c2","stack":"Error: c2"}}},"not an error",{"type":"Error","message":"k1","stack":"Error: k1"}],"cause":{"type":"Error","message":"own","stack":"Error: own"}})j");
  auto result = exception_values(std::move(tree.root), sdk_limit());
  CHECK(
      without_abs_path(result.values) ==
      R"j([{"type":"Error","value":"k1","mechanism":{"handled":true,"type":"chained","source":"errors[2]","exception_id":5,"parent_id":0}},{"type":"Error","value":"c2","mechanism":{"handled":true,"type":"chained","source":"cause","exception_id":4,"parent_id":3}},{"type":"Error","value":"c1","mechanism":{"handled":true,"type":"chained","source":"cause","exception_id":3,"parent_id":2}},{"type":"RangeError","value":"k0","mechanism":{"handled":true,"type":"chained","source":"errors[0]","exception_id":2,"parent_id":0}},{"type":"Error","value":"own","mechanism":{"handled":true,"type":"chained","source":"cause","exception_id":1,"parent_id":0}},{"type":"AggregateError","value":"group","mechanism":{"handled":true,"type":"faultline","is_exception_group":true,"exception_id":0}}])j");
  // The string rejection is not an exception, but it is not lost either.
  CHECK(
      json::to_string(result.contexts) ==
      R"j({"AggregateError":{"aggregateErrors":[{"type":"RangeError","message":"k0","stack":"RangeError: k0","cause":{"type":"Error","message":"c1","stack":"Error: c1","cause":{"type":"Error","message":"c2","stack":"Error: c2"}}},"not an error",{"type":"Error","message":"k1","stack":"Error: k1"}]}})j");
}

TEST_CASE("exception: the linked-error limit", "[exception][parity]") {
  const char* chain8 =
      R"j({"type":"Error","message":"e0: e1: e2: e3: e4: e5: e6: e7","stack":"Error: e0\ncaused by: Error: e1\ncaused by: Error: e2\ncaused by: Error: e3\ncaused by: Error: e4\ncaused by: Error: e5\ncaused by: Error: e6\ncaused by: Error: e7"})j";
  SECTION("the SDK's 5 keeps the outermost six, as the SDK does") {
    auto result = exception_values(tree_of(chain8).root, sdk_limit());
    CHECK(result.dropped == 2);
    CHECK(
        without_abs_path(result.values) ==
        R"j([{"type":"Error","value":"e5","mechanism":{"handled":true,"type":"chained","source":"cause","exception_id":5,"parent_id":4}},{"type":"Error","value":"e4","mechanism":{"handled":true,"type":"chained","source":"cause","exception_id":4,"parent_id":3}},{"type":"Error","value":"e3","mechanism":{"handled":true,"type":"chained","source":"cause","exception_id":3,"parent_id":2}},{"type":"Error","value":"e2","mechanism":{"handled":true,"type":"chained","source":"cause","exception_id":2,"parent_id":1}},{"type":"Error","value":"e1","mechanism":{"handled":true,"type":"chained","source":"cause","exception_id":1,"parent_id":0}},{"type":"Error","value":"e0","mechanism":{"handled":true,"type":"faultline","exception_id":0}}])j");
  }
  SECTION("faultline's default of 10 keeps all eight") {
    auto result = exception_values(tree_of(chain8).root);
    CHECK(result.dropped == 0);
    REQUIRE(result.values.size() == 8);
    CHECK(result.values.front().find("value")->as_string() == "e7");
  }
  SECTION("and stops at 11 values") {
    std::string message = "e0", stack = "Error: e0";
    for (int i = 1; i < 15; ++i) {
      message += ": e" + std::to_string(i);
      stack += "\\ncaused by: Error: e" + std::to_string(i);
    }
    auto result = exception_values(
        tree_of(R"j({"message":")j" + message + R"j(","stack":")j" + stack + R"j("})j").root);
    CHECK(result.values.size() == 11);
    CHECK(result.dropped == 4);
    CHECK(result.values.front().find("value")->as_string() == "e10");
  }
}

TEST_CASE("exception: the logged error alone", "[exception]") {
  auto tree = faultline::parse_pino_error(fixture_err("e-edge-cases.ndjson", "string thrown"));
  ExceptionOptions options;
  options.mechanism_type = "auto.log.pino";
  options.handled = false;
  options.synthetic = !tree.root.error_like;
  auto result = exception_values(std::move(tree.root), options);
  // No frames: no stacktrace at all, as Relay rejects an empty frame list.
  CHECK(
      json::to_string(json::Value(result.values)) ==
      R"j([{"type":"Error","value":"something bad happened","mechanism":{"type":"auto.log.pino","handled":false,"synthetic":true}}])j");
  CHECK(result.contexts.empty());
}

TEST_CASE("exception: the fixture's 2-level ECONNREFUSED chain", "[exception]") {
  auto tree = faultline::parse_pino_error(fixture_err("e-edge-cases.ndjson", "err-default-cause"));
  auto result = exception_values(std::move(tree.root));
  REQUIRE(result.values.size() == 3);
  const auto mechanism = [&](size_t i) {
    return json::to_string(*result.values[i].find("mechanism"));
  };
  CHECK(result.values[0].find("value")->as_string() == "connect ECONNREFUSED 127.0.0.1:1");
  CHECK(mechanism(0) ==
        R"j({"handled":true,"type":"chained","source":"cause","exception_id":2,"parent_id":1})j");
  CHECK(result.values[1].find("type")->as_string() == "DatabaseError");
  CHECK(mechanism(1) ==
        R"j({"handled":true,"type":"chained","source":"cause","exception_id":1,"parent_id":0})j");
  CHECK(result.values[2].find("value")->as_string() == "invoice export failed");
  CHECK(mechanism(2) == R"j({"handled":true,"type":"faultline","exception_id":0})j");
  const json::Array& frames = result.values[2].find("stacktrace")->find("frames")->as_array();
  REQUIRE(frames.size() == 6);
  CHECK(
      json::to_string(frames.back()) ==
      R"j({"filename":"/tmp/pinolab/e-edge-cases.js","abs_path":"/tmp/pinolab/e-edge-cases.js","module":"e-edge-cases","function":"Socket.?","lineno":18,"colno":15,"in_app":true})j");
}

TEST_CASE("exception: error properties go to contexts, keyed by name and path", "[exception]") {
  SECTION("errWithCause causes keep their codes") {
    auto tree = faultline::parse_pino_error(fixture_err("e-edge-cases.ndjson", "err-with-cause"));
    CHECK(
        json::to_string(exception_values(std::move(tree.root)).contexts) ==
        R"j({"DatabaseError (cause)":{"code":"DB_QUERY_FAILED"},"Error (cause.cause)":{"errno":-111,"code":"ECONNREFUSED","syscall":"connect","address":"127.0.0.1","port":1}})j");
  }
  SECTION("the logged error's key is its name, as extraErrorDataIntegration's") {
    auto tree = faultline::parse_pino_error(fixture_err("a-default.ndjson", "KnexTimeoutError"));
    CHECK(json::to_string(exception_values(std::move(tree.root)).contexts) ==
          R"j({"KnexTimeoutError":{"sql":"select * from \"orders\" where \"id\" = ?"}})j");
  }
  SECTION("children of an AggregateError") {
    auto tree =
        faultline::parse_pino_error(fixture_err("a-default.ndjson", "All promises were rejected"));
    auto result = exception_values(std::move(tree.root));
    CHECK(
        json::to_string(result.contexts) ==
        R"j({"Error (errors[0])":{"code":"ETIMEDOUT","provider":"sms"},"Error (errors[1])":{"statusCode":503,"provider":"push"}})j");
    REQUIRE(result.values.size() == 4);
    CHECK(result.values[3].find("stacktrace") == nullptr);  // Promise.any's frameless stack
  }
  SECTION("a key that is taken gets the exception id") {
    auto tree = tree_of(
        R"j({"type":"Error (cause)","message":"a","code":1,"cause":{"message":"b","code":2}})j");
    CHECK(json::to_string(exception_values(std::move(tree.root)).contexts) ==
          R"j({"Error (cause)":{"code":1},"Error (cause) #1":{"code":2}})j");
  }
}
