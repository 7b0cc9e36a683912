// parse_pino_error() on every err shape of the fixtures (real pino 10 output) and on hostile
// input.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "parsers/json.h"
#include "parsers/pino_error.h"

using faultline::ErrorNode;
using faultline::ErrorTree;
using faultline::parse_pino_error;
namespace json = faultline::json;

namespace {

// The `err` of the first fixture line that contains `needle`.
json::Value fixture_err(const char* file, std::string_view needle) {
  std::ifstream in(std::string(FAULTLINE_DATA_DIR) + "/pino/" + file);
  REQUIRE(in.good());
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) == std::string::npos) continue;
    auto record = json::parse(line);
    REQUIRE(record.ok());
    const json::Value* err = record->find("err");
    REQUIRE(err != nullptr);
    return *err;
  }
  FAIL("no line of " << file << " contains " << needle);
  return {};
}

ErrorTree parse_text(std::string_view text, faultline::PinoErrorOptions options = {}) {
  auto value = json::parse(text);
  REQUIRE(value.ok());
  return parse_pino_error(*value, options);
}

size_t chain_length(const ErrorNode& node) {
  return 1 + (node.cause ? chain_length(*node.cause) : 0);
}

}  // namespace

TEST_CASE("pino_error: the default serializer's folded 2-level ECONNREFUSED chain",
          "[pino_error]") {
  const ErrorTree tree = parse_pino_error(fixture_err("e-edge-cases.ndjson", "err-default-cause"));
  const ErrorNode& root = tree.root;
  CHECK(root.type == "Error");
  // "invoice export failed: SELECT on table \"invoices\" failed: connect ECONNREFUSED 127.0.0.1:1"
  CHECK(root.message == "invoice export failed");
  REQUIRE(root.frames.size() == 6);
  CHECK(root.frames.back().function == "Socket.?");
  CHECK(root.frames.back().module == "e-edge-cases");
  CHECK(root.frames.back().lineno == 18);
  CHECK(root.properties.empty());
  REQUIRE(root.cause);
  CHECK(root.cause->type == "DatabaseError");
  CHECK(root.cause->message == "SELECT on table \"invoices\" failed");
  CHECK(root.cause->frames.size() == 6);
  CHECK(root.cause->frames.back().lineno == 15);
  REQUIRE(root.cause->cause);
  const ErrorNode& inner = *root.cause->cause;
  CHECK(inner.type == "Error");
  CHECK(inner.message == "connect ECONNREFUSED 127.0.0.1:1");
  REQUIRE(inner.frames.size() == 1);
  CHECK(inner.frames[0].function == "TCPConnectWrap.afterConnect [as oncomplete]");
  CHECK_FALSE(inner.cause);
  CHECK(tree.app_root == "/tmp/pinolab");
  CHECK(tree.dropped == 0);

  const ErrorTree report =
      parse_pino_error(fixture_err("a-default.ndjson", "report 42 generation"));
  CHECK(report.root.message == "report 42 generation failed");
  REQUIRE(chain_length(report.root) == 3);
  CHECK(report.root.cause->message == "SELECT on table \"report_rows\" failed");
  CHECK(report.root.cause->cause->message == "connect ECONNREFUSED 127.0.0.1:1");
  CHECK(report.root.frames.back().module == "app");
}

TEST_CASE("pino_error: errWithCause nests causes with their own properties", "[pino_error]") {
  const ErrorTree tree = parse_pino_error(fixture_err("e-edge-cases.ndjson", "err-with-cause"));
  const ErrorNode& root = tree.root;
  CHECK(root.message == "invoice export failed");
  CHECK(root.properties.empty());  // the cause became a node, not a property
  REQUIRE(root.cause);
  // type "Error", name "DatabaseError": the name wins, as error.name does in the SDK.
  CHECK(root.cause->type == "DatabaseError");
  CHECK(json::to_string(root.cause->properties) == R"j({"code":"DB_QUERY_FAILED"})j");
  REQUIRE(root.cause->cause);
  CHECK(
      json::to_string(root.cause->cause->properties) ==
      R"j({"errno":-111,"code":"ECONNREFUSED","syscall":"connect","address":"127.0.0.1","port":1})j");
  CHECK(root.cause->cause->frames.size() == 1);
}

TEST_CASE("pino_error: undici's fetch failure", "[pino_error]") {
  const ErrorTree tree = parse_pino_error(fixture_err("e-edge-cases.ndjson", "fetch-failed"));
  CHECK(tree.root.type == "TypeError");
  CHECK(tree.root.message == "fetch failed");
  CHECK(tree.root.frames.size() == 3);
  REQUIRE(tree.root.cause);
  CHECK(tree.root.cause->message == "connect ECONNREFUSED 127.0.0.1:59999");
}

TEST_CASE("pino_error: AggregateError children, with a cause inside one", "[pino_error]") {
  const ErrorTree tree =
      parse_pino_error(fixture_err("e-edge-cases.ndjson", "aggregate-with-causes"));
  const ErrorNode& root = tree.root;
  CHECK(root.type == "AggregateError");
  CHECK(root.message == "all shards failed");
  CHECK(root.exception_group);
  CHECK(root.frames.size() == 2);
  CHECK(root.properties.empty());
  REQUIRE(root.errors.size() == 2);
  CHECK(root.errors[0].index == 0);
  CHECK(root.errors[0].message == "shard 1 unavailable");  // "…: read ETIMEDOUT" folded in
  REQUIRE(root.errors[0].cause);
  CHECK(root.errors[0].cause->message == "read ETIMEDOUT");
  CHECK(root.errors[0].cause->frames.back().colno == 61);
  CHECK(root.errors[1].index == 1);
  CHECK(root.errors[1].type == "TypeError");
  CHECK_FALSE(root.errors[1].cause);
}

TEST_CASE("pino_error: Promise.any's AggregateError has no frames of its own", "[pino_error]") {
  const ErrorTree tree =
      parse_pino_error(fixture_err("a-default.ndjson", "All promises were rejected"));
  CHECK(tree.root.type == "AggregateError");
  CHECK(tree.root.message == "All promises were rejected");
  CHECK(tree.root.frames.empty());
  REQUIRE(tree.root.errors.size() == 3);
  CHECK(json::to_string(tree.root.errors[0].properties) ==
        R"j({"code":"ETIMEDOUT","provider":"sms"})j");
  REQUIRE(tree.root.errors[0].frames.size() == 5);
  CHECK(tree.root.errors[0].frames[1].function == "Promise.any");
  CHECK(tree.root.errors[0].frames[1].filename == "index 0");
  CHECK(tree.root.errors[2].type == "TypeError");
}

TEST_CASE("pino_error: name differs from type (KnexTimeoutError on a plain Error)",
          "[pino_error]") {
  const ErrorTree tree = parse_pino_error(fixture_err("a-default.ndjson", "KnexTimeoutError"));
  CHECK(tree.root.type == "KnexTimeoutError");
  CHECK(tree.root.message == "timeout acquiring a connection. The pool is probably full.");
  CHECK(json::to_string(tree.root.properties) ==
        R"j({"sql":"select * from \"orders\" where \"id\" = ?"})j");
  CHECK(tree.root.frames.size() == 10);
}

TEST_CASE("pino_error: a custom error class with many properties", "[pino_error]") {
  const ErrorTree tree = parse_pino_error(fixture_err("a-default.ndjson", "PaymentTimeoutError"));
  CHECK(tree.root.type == "PaymentTimeoutError");
  CHECK(tree.root.message == "payment provider acme-pay did not respond within 3000ms");
  const json::Object& p = tree.root.properties;
  CHECK(p.size() == 8);
  CHECK(p.find("code")->as_string() == "PAYMENT_TIMEOUT");
  CHECK(p.find("retryable")->as_bool());
  CHECK_FALSE(p.contains("name"));
  REQUIRE(tree.root.frames.size() == 1);
  CHECK(tree.root.frames[0].in_app == true);
}

TEST_CASE("pino_error: circular causes end", "[pino_error]") {
  const ErrorTree tree = parse_pino_error(fixture_err("e-edge-cases.ndjson", "circular-cause"));
  // message "retry loop detected: retry loop detected: ...", stack ends with the marker.
  CHECK(tree.root.message == "retry loop detected");
  REQUIRE(chain_length(tree.root) == 2);
  CHECK(tree.root.cause->message == "retry loop detected");
  CHECK(tree.root.cause->frames.size() == 2);  // the marker line is not part of the stack
  CHECK(tree.dropped == 0);
}

TEST_CASE("pino_error: values that are not errors", "[pino_error]") {
  const ErrorTree text = parse_pino_error(fixture_err("e-edge-cases.ndjson", "string thrown"));
  CHECK(text.root.type == "Error");
  CHECK(text.root.message == "something bad happened");
  CHECK_FALSE(text.root.error_like);
  CHECK(text.root.frames.empty());

  const ErrorTree number = parse_pino_error(fixture_err("e-edge-cases.ndjson", "number thrown"));
  CHECK(number.root.message == "42");
  CHECK_FALSE(number.root.error_like);

  // What @sentry/node writes for a captured plain object.
  const ErrorTree object = parse_text(R"j({"code":5,"a":{"b":1}})j");
  CHECK(object.root.message == "Object captured as exception with keys: a, code");
  CHECK(json::to_string(object.root.properties) == R"j({"code":5,"a":{"b":1}})j");
  CHECK(parse_text(R"j({"name":"Foo","message":7})j").root.message ==
        "'Foo' captured as exception");
  CHECK(parse_text("{}").root.message ==
        "Object captured as exception with keys: [object has no keys]");
  CHECK(parse_text("null").root.message == "null");
  CHECK(parse_text("true").root.message == "true");
  CHECK(parse_text("[1,\"x\"]").root.message == R"j([1,"x"])j");
}

TEST_CASE("pino_error: an error-like object with an empty stack", "[pino_error]") {
  // @sentry/core's eventFromUnknownInput on this object: type "Error", value its message,
  // mechanism synthetic.
  const ErrorTree tree = parse_pino_error(fixture_err("e-edge-cases.ndjson", "error-like object"));
  CHECK_FALSE(tree.root.error_like);
  CHECK(tree.root.type == "Error");
  CHECK(tree.root.message == "quota exceeded");
  CHECK(tree.root.frames.empty());
  CHECK(json::to_string(tree.root.properties) == R"j({"code":"E_QUOTA","limit":100})j");
}

TEST_CASE("pino_error: Buffer and Date properties are kept as logged", "[pino_error]") {
  const ErrorTree tree = parse_pino_error(fixture_err("e-edge-cases.ndjson", "err-odd-props"));
  CHECK(
      json::to_string(tree.root.properties) ==
      R"j({"chunk":{"type":"Buffer","data":[97,98,99]},"at":"1970-01-01T00:00:00.000Z","statusCode":413})j");
  const ErrorTree syntax = parse_pino_error(fixture_err("a-default.ndjson", "SyntaxError"));
  CHECK(syntax.root.properties.size() == 4);
  CHECK(syntax.root.properties.find("expose")->as_bool());
  CHECK(syntax.root.frames.size() == 10);
  CHECK(syntax.root.frames.back().function == "JSON.parse");
}

TEST_CASE("pino_error: folded messages are only cut when the suffix is exact", "[pino_error]") {
  SECTION("a message changed after the stack was taken still loses the exact suffix") {
    const ErrorTree tree = parse_text(
        R"j({"type":"Error","message":"outer (retry 3): inner","stack":"Error: outer\n    at f (/srv/app/a.js:1:1)\ncaused by: Error: inner"})j");
    CHECK(tree.root.message == "outer (retry 3)");
    CHECK(tree.root.cause->message == "inner");
  }
  SECTION("a suffix that does not match keeps the message whole") {
    const ErrorTree tree = parse_text(
        R"j({"type":"Error","message":"something else","stack":"Error: outer\ncaused by: Error: inner"})j");
    CHECK(tree.root.message == "something else");
  }
  SECTION("a cause without a stack falls back on the outer error's header") {
    const ErrorTree tree = parse_text(
        R"j({"type":"Error","message":"outer: lost","stack":"Error: outer\n    at f (/srv/app/a.js:1:1)\ncaused by: "})j");
    CHECK(tree.root.message == "outer");
    CHECK(tree.root.cause->type == "Error");
    CHECK(tree.root.cause->message.empty());
  }
  SECTION("Node's [ERR_X] header gives the cause its code back") {
    const ErrorTree tree = parse_text(
        R"j({"type":"Error","message":"send failed: Socket is closed","stack":"Error: send failed\ncaused by: Error [ERR_SOCKET_CLOSED]: Socket is closed\n    at f (node:net:1:1)"})j");
    CHECK(tree.root.message == "send failed");
    CHECK(tree.root.cause->type == "Error");
    CHECK(json::to_string(tree.root.cause->properties) == R"j({"code":"ERR_SOCKET_CLOSED"})j");
  }
}

TEST_CASE("pino_error: aggregateErrors entries that are not errors are kept", "[pino_error]") {
  const ErrorTree tree = parse_text(
      R"j({"type":"AggregateError","message":"m","stack":"AggregateError: m","aggregateErrors":["no",{"type":"Error","message":"yes","stack":"Error: yes"}],"errors":[{}]})j");
  REQUIRE(tree.root.errors.size() == 1);
  CHECK(tree.root.errors[0].index == 1);
  CHECK(json::to_string(tree.root.properties) ==
        R"j({"aggregateErrors":["no",{"type":"Error","message":"yes","stack":"Error: yes"}]})j");
  // Not an array: not an exception group, and kept as a property.
  const ErrorTree odd = parse_text(R"j({"message":"m","aggregateErrors":"x"})j");
  CHECK_FALSE(odd.root.exception_group);
  CHECK(json::to_string(odd.root.properties) == R"j({"aggregateErrors":"x"})j");
}

TEST_CASE("pino_error: the app root is inferred once for the whole tree", "[pino_error]") {
  const char* text =
      R"j({"type":"Error","message":"a: b","stack":"Error: a\n    at f (/srv/app/node_modules/x/y.js:1:1)\n    at g (/srv/app/lib/util/q.js:1:1)\ncaused by: Error: b\n    at h (/srv/app/lib/db.js:2:2)"})j";
  const ErrorTree inferred = parse_text(text);
  CHECK(inferred.app_root == "/srv/app/lib");
  CHECK(inferred.root.frames[0].module == "util:q");
  CHECK(inferred.root.cause->frames[0].module == "db");
  faultline::PinoErrorOptions options;
  options.stack.app_root = "/srv/app";
  const ErrorTree configured = parse_text(text, options);
  CHECK(configured.app_root == "/srv/app");
  CHECK(configured.root.frames[0].module == "lib.util:q");
  CHECK(configured.root.cause->frames[0].module == "lib:db");
  // No absolute in-app frame anywhere: no root, and no per-stack guess either.
  const ErrorTree none = parse_text(
      R"j({"message":"x","stack":"Error: x\n    at f (node:net:1:1)\ncaused by: Error: y\n    at g (/b.js:1:1)"})j");
  CHECK(none.app_root.empty());
  CHECK(none.root.cause->frames[0].module == "b");
}

TEST_CASE("pino_error: hostile input is bounded", "[pino_error][hostile]") {
  SECTION("errWithCause nested 2000 deep") {
    json::Value value = json::Object();
    value.as_object().set("message", "leaf");
    for (int i = 0; i < 2000; ++i) {
      json::Object outer;
      outer.set("message", "m");
      outer.set("cause", std::move(value));
      value = std::move(outer);
    }
    const ErrorTree tree = parse_pino_error(value);
    CHECK(chain_length(tree.root) == 33);  // the root and max_depth levels below it
    CHECK(tree.dropped >= 1);
  }
  SECTION("100000 aggregateErrors") {
    json::Array entries;
    for (int i = 0; i < 100000; ++i) {
      json::Object e;
      e.set("message", "e" + std::to_string(i));
      entries.push_back(std::move(e));
    }
    json::Object err;
    err.set("message", "many");
    err.set("aggregateErrors", std::move(entries));
    const ErrorTree tree = parse_pino_error(json::Value(std::move(err)));
    CHECK(tree.root.errors.size() == 63);
    CHECK(tree.dropped == 100000 - 63);
  }
  SECTION("a 10 MB stack with 100000 folded causes") {
    std::string stack = "Error: top\n    at f (/srv/app/a.js:1:1)";
    for (int i = 0; i < 100000; ++i) stack += "\ncaused by: Error: c\n    at g (/srv/app/b.js:2:2)";
    stack += std::string(10'000'000 - stack.size(), 'x');
    json::Object err;
    err.set("message", "top");
    err.set("stack", stack);
    const ErrorTree tree = parse_pino_error(json::Value(std::move(err)));
    CHECK(chain_length(tree.root) == 33);
    CHECK(tree.dropped == 100000 - 32);
    CHECK(tree.root.message == "top");
  }
  SECTION("weird types") {
    const ErrorTree tree = parse_text(
        R"j({"message":"m","type":{"x":1},"name":5,"stack":42,"cause":"because","aggregateErrors":null})j");
    CHECK(tree.root.type == "Error");
    CHECK(tree.root.frames.empty());
    CHECK(json::to_string(tree.root.properties) ==
          R"j({"name":5,"cause":"because","aggregateErrors":null})j");
    const ErrorTree empty_name =
        parse_text(R"j({"message":"","name":"","type":"","stack":"Boom: x"})j");
    CHECK(empty_name.root.type == "Boom");
    CHECK(empty_name.root.message.empty());
  }
}

TEST_CASE("pino_error: every err in the fixtures gives a sane tree", "[pino_error][fixtures]") {
  size_t errs = 0;
  for (const char* file : {"a-default.ndjson", "e-edge-cases.ndjson"}) {
    std::ifstream in(std::string(FAULTLINE_DATA_DIR) + "/pino/" + file);
    for (std::string line; std::getline(in, line);) {
      auto record = json::parse(line);
      if (!record.ok() || record->find("err") == nullptr) continue;
      const ErrorTree tree = parse_pino_error(*record->find("err"));
      INFO(line);
      CHECK_FALSE(tree.root.type.empty());
      CHECK(tree.dropped == 0);
      // A folded message always loses its ": cause" suffix.
      if (tree.root.cause)
        CHECK(tree.root.message.find(": " + tree.root.cause->message) == std::string::npos);
      ++errs;
    }
  }
  CHECK(errs == 125);
}

TEST_CASE("pino_error: ECS's error.stack_trace is read as the stack", "[pino_error]") {
  const ErrorTree tree = parse_text(
      R"J({"type":"TypeError","message":"x is undefined","stack_trace":"TypeError: x is undefined\n    at emit (/srv/app/scenarios.js:13:16)\n    at main (/srv/app/index.js:5:1)"})J");
  CHECK(tree.root.type == "TypeError");
  REQUIRE(tree.root.frames.size() == 2);
  CHECK(tree.root.frames.back().function == "emit");
  CHECK(tree.root.properties.find("stack_trace") == nullptr);  // not repeated as a property
}

TEST_CASE("pino_error: a plain object with a message is sent as the SDK sends it", "[pino_error]") {
  const ErrorTree tree = parse_text(
      R"({"type":"Object","message":"plain object with message","stack":"","code":"E_PLAIN"})");
  CHECK(tree.root.type == "Error");
  CHECK(tree.root.message == "plain object with message");
  CHECK_FALSE(tree.root.error_like);
  CHECK(tree.root.properties.find("code") != nullptr);
  // A class of the app's own keeps its name.
  CHECK(parse_text(R"({"type":"ValidationError","message":"bad","stack":""})").root.type ==
        "ValidationError");
}
