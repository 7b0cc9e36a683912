// parse_inspected_error() on what real Node 20 printed (tests/data/plain/node-console.stderr.txt,
// written by tests/data/plain/generators/) and on text cut or bent out of shape.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "parsers/json.h"
#include "parsers/node_inspect.h"
#include "parsers/pino_error.h"

using faultline::parse_inspected_error;
namespace json = faultline::json;

namespace {

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(FAULTLINE_DATA_DIR) + "/" + name);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The text of the capture from the line starting with `first` on.
std::string from_line(const std::string& text, std::string_view first) {
  const size_t at = text.find("\n" + std::string(first));
  REQUIRE(at != std::string::npos);
  return text.substr(at + 1);
}

std::string str(const json::Value* v) {
  REQUIRE(v != nullptr);
  REQUIRE(v->is_string());
  return v->as_string();
}

}  // namespace

TEST_CASE("node_inspect: console.error with a prefix, property values of every kind",
          "[node_inspect]") {
  const std::string text = read_data("plain/node-console.stderr.txt");
  // The assembler cuts console.error's prefix; the error starts at its header.
  const size_t header = text.find("Error: charge failed");
  REQUIRE(header != std::string::npos);
  auto parsed = parse_inspected_error(std::string_view(text).substr(header));
  REQUIRE(parsed);
  const json::Value& err = parsed->err;
  CHECK(str(err.find("type")) == "Error");
  CHECK(str(err.find("message")) == "charge failed");
  CHECK(parsed->closed);
  CHECK(str(err.find("code")) == "E_CHARGE");
  CHECK(err.find("amount")->as_double() == 12.5);
  CHECK(err.find("retryable")->as_bool() == false);
  CHECK(str(err.find("when")) == "2025-07-01T00:00:00.000Z");  // a Date, as JSON writes it
  CHECK(str(err.find_path("headers.x-request-id")) == "req-7");
  CHECK(json::to_string(*err.find("items")) == R"(["a","it's","c"])");
  CHECK(json::to_string(*err.find("raw")) == R"({"type":"Buffer","data":[104,105]})");
  CHECK(json::to_string(*err.find("seen")) == "{}");  // JSON.stringify of a Map
  CHECK(err.find("missing") == nullptr);              // undefined: left out, as JSON does
  CHECK(err.find("fn") == nullptr);                   // a function: left out
  CHECK(str(err.find("long")) == "line one\nline two\n" + std::string(100, 'x'));
  // A nested error in a property, followed by ',' after its last frame.
  const json::Value* inner = err.find("inner");
  REQUIRE(inner != nullptr);
  CHECK(str(inner->find("type")) == "RangeError");
  CHECK(str(inner->find("stack")).ends_with("at node:internal/main/run_main_module:28:49"));
  // [cause] becomes the nested cause that errWithCause writes.
  const json::Value* cause = err.find("cause");
  REQUIRE(cause != nullptr);
  CHECK(str(cause->find("type")) == "TypeError");
  CHECK(str(cause->find("message")) == "card.number is undefined");
  // The elided frames come back from the cause: 7 frames, the same 5 as the cause's after the
  // first two.
  const std::string stack = str(err.find("stack"));
  CHECK(stack.find("lines matching") == std::string::npos);
  CHECK(stack.find("    at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)") !=
        std::string::npos);
  CHECK(parsed->elisions == 1);

  const faultline::ErrorTree tree = faultline::parse_pino_error(err);
  REQUIRE(tree.root.frames.size() == 7);
  REQUIRE(tree.root.cause);
  CHECK(tree.root.frames.front().function == "?");  // node:internal/main/run_main_module
  CHECK(tree.root.frames.back().function == "Object.?");
  CHECK(tree.root.frames.back().lineno == 2);
  CHECK(tree.root.frames.back().colno == 13);
  CHECK(tree.root.frames[1].function == "Function.executeUserEntryPoint [as runMain]");
}

TEST_CASE("node_inspect: an AggregateError's [errors] keep their positions", "[node_inspect]") {
  const std::string text = from_line(read_data("plain/node-console.stderr.txt"), "AggregateError");
  auto parsed = parse_inspected_error(text);
  REQUIRE(parsed);
  const json::Value* errors = parsed->err.find("aggregateErrors");
  REQUIRE(errors != nullptr);
  REQUIRE(errors->as_array().size() == 3);
  CHECK(errors->as_array()[1].as_string() == "not an error");
  const faultline::ErrorTree tree = faultline::parse_pino_error(parsed->err);
  CHECK(tree.root.exception_group);
  REQUIRE(tree.root.errors.size() == 2);
  CHECK(tree.root.errors[0].message == "a failed");
  CHECK(tree.root.errors[1].message == "c failed");
  CHECK(tree.root.errors[1].index == 2);  // errors[2]: the string at 1 is not an error
  CHECK(tree.root.errors[1].frames.size() == 7);
}

TEST_CASE("node_inspect: elided frames are the cause's, restored in order", "[node_inspect]") {
  const std::string text = from_line(read_data("plain/node-console.stderr.txt"), "Error: outer");
  auto parsed = parse_inspected_error(text);
  REQUIRE(parsed);
  const faultline::ErrorTree tree = faultline::parse_pino_error(parsed->err);
  REQUIRE(tree.root.cause);
  const auto& outer = tree.root.frames;
  const auto& inner = tree.root.cause->frames;
  REQUIRE(outer.size() == inner.size());
  // Oldest first: every frame but the newest (where each error was created) is shared.
  for (size_t i = 0; i + 1 < outer.size(); ++i) {
    INFO(i);
    CHECK(outer[i].function == inner[i].function);
    CHECK(outer[i].lineno == inner[i].lineno);
  }
  CHECK(outer.back().lineno == 3);
  CHECK(inner.back().lineno == 2);
}

TEST_CASE("node_inspect: an elision that cannot be restored is dropped", "[node_inspect]") {
  // The cause shares no frame with the line before the elision.
  auto parsed = parse_inspected_error(
      "Error: outer\n"
      "    at a (/app/a.js:1:1)\n"
      "    ... 3 lines matching cause stack trace ...\n"
      "    at b (/app/b.js:2:2) {\n"
      "  [cause]: Error: inner\n"
      "      at c (/app/c.js:3:3)\n"
      "}\n");
  REQUIRE(parsed);
  CHECK(str(parsed->err.find("stack")) ==
        "Error: outer\n    at a (/app/a.js:1:1)\n    at b (/app/b.js:2:2)");
  CHECK(parsed->elisions == 0);
}

TEST_CASE("node_inspect: headers", "[node_inspect]") {
  SECTION("Node's internal error: the code in brackets") {
    auto parsed = parse_inspected_error(
        "TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string\n"
        "    at x (/app/x.js:1:1)\n");
    REQUIRE(parsed);
    CHECK(str(parsed->err.find("type")) == "TypeError");
    CHECK(str(parsed->err.find("code")) == "ERR_INVALID_ARG_TYPE");
  }
  SECTION("improveStack's constructor [name]") {
    auto parsed =
        parse_inspected_error("HttpError [NotFound]: no such order\n    at x (/a.js:1:1)\n");
    REQUIRE(parsed);
    CHECK(str(parsed->err.find("type")) == "HttpError");
    CHECK(str(parsed->err.find("name")) == "NotFound");
  }
  SECTION("a message over several lines") {
    auto parsed = parse_inspected_error(
        "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n1 !== 2\n\n"
        "    at x (/a.js:1:1) {\n  generatedMessage: true\n}\n");
    REQUIRE(parsed);
    CHECK(str(parsed->err.find("message")) == "Expected values to be strictly equal:\n\n1 !== 2\n");
    CHECK(parsed->err.find("generatedMessage")->as_bool());
  }
  SECTION("a bracketed error with its block on one line") {
    auto parsed = parse_inspected_error("[Error: no frames] { code: 'E_X', statusCode: 402 }");
    REQUIRE(parsed);
    CHECK(str(parsed->err.find("stack")) == "Error: no frames");
    CHECK(str(parsed->err.find("code")) == "E_X");
    CHECK(parsed->err.find("statusCode")->as_int() == 402);
  }
  SECTION("no frames and no brackets: not an error dump") {
    CHECK_FALSE(parse_inspected_error("Error: something\nServer listening on 3000\n"));
    CHECK_FALSE(parse_inspected_error("Error: something"));
  }
}

TEST_CASE("node_inspect: cut and hostile text ends, bounded", "[node_inspect]") {
  const std::string text = read_data("plain/node-console.stderr.txt");
  const size_t header = text.find("Error: charge failed");
  // Every cut of the dump parses or is refused; none crashes or loops.
  for (size_t cut = header; cut < text.size(); cut += 7) {
    auto parsed = parse_inspected_error(std::string_view(text).substr(header, cut - header));
    if (parsed) CHECK(parsed->consumed <= cut - header);
  }
  // A property block that never closes.
  auto open =
      parse_inspected_error("Error: x\n    at a (/a.js:1:1) {\n  code: 'E', nested: { a: [ 1,");
  REQUIRE(open);
  CHECK_FALSE(open->closed);
  CHECK(str(open->err.find("code")) == "E");
  // Deep nesting is read over, not recursed into.
  std::string deep = "Error: x\n    at a (/a.js:1:1) {\n  v: ";
  for (int i = 0; i < 100000; ++i) deep += "{ a: ";
  auto nested = parse_inspected_error(deep);
  REQUIRE(nested);
  // A Buffer cut inside a byte (a fuzzer's find): the whole bytes only.
  auto buffer = parse_inspected_error("Error: x\n    at a (/a.js:1:1) {\n  raw: <Buffer 68 6");
  REQUIRE(buffer);
  CHECK(json::to_string(*buffer->err.find("raw")) == R"({"type":"Buffer","data":[104]})");
  // Garbage inside the block costs its line, not the error.
  auto junk = parse_inspected_error(
      "Error: x\n    at a (/a.js:1:1) {\n  ??? !!!\n  code: 'E_OK',\n  :: ,,\n}\n");
  REQUIRE(junk);
  CHECK(str(junk->err.find("code")) == "E_OK");
  CHECK(junk->closed);
}
