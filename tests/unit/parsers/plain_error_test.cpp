// PlainErrorAssembler on real stderr: Express's default handler (a-default.stderr.txt, the same
// run as a-default.ndjson) and Node 20's crash reports and console.error output
// (tests/data/plain/, written by its generators/), and on lines that are not dumps.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "parsers/json.h"
#include "parsers/pino_error.h"
#include "parsers/plain_error.h"

using faultline::ErrorNode;
using faultline::ErrorTree;
using faultline::PlainErrorAssembler;
using faultline::PlainErrorDump;
using faultline::PlainErrorLimits;
namespace json = faultline::json;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(std::string(FAULTLINE_DATA_DIR) + "/" + path);
  REQUIRE(in.good());
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = std::min(text.find('\n', pos), text.size());
    out.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

struct Outcome {
  std::vector<PlainErrorDump> dumps;
  size_t released = 0;
};

// Feeds the lines in order, then flushes; every line is either released or in one dump.
Outcome assemble(const std::vector<std::string>& lines, PlainErrorLimits limits = {}) {
  PlainErrorAssembler a(limits);
  Outcome out;
  uint64_t offset = 0;
  const auto drain = [&] {
    out.released += a.take_released();
    for (PlainErrorDump d; a.take(d);) out.dumps.push_back(std::move(d));
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    a.feed(lines[i], offset, i + 1);
    offset += lines[i].size() + 1;
    drain();
  }
  a.flush();
  drain();
  CHECK_FALSE(a.holding());
  size_t in_dumps = 0;
  for (const PlainErrorDump& d : out.dumps) in_dumps += d.lines;
  CHECK(in_dumps + out.released == lines.size());
  return out;
}

std::string str(const json::Value* v) {
  REQUIRE(v != nullptr);
  REQUIRE(v->is_string());
  return v->as_string();
}

const PlainErrorDump& dump_with(const Outcome& o, std::string_view needle) {
  for (const PlainErrorDump& d : o.dumps) {
    if (d.text.find(needle) != std::string::npos) return d;
  }
  FAIL("no dump contains " << needle);
  return o.dumps.front();
}

// The `err` of the first line of a-default.ndjson that contains `needle`.
json::Value logged_err(std::string_view needle) {
  for (const std::string& line : lines_of("pino/a-default.ndjson")) {
    if (line.find(needle) == std::string::npos) continue;
    auto record = json::parse(line);
    REQUIRE(record.ok());
    return *record->find("err");
  }
  FAIL("no line contains " << needle);
  return {};
}

void same_errors(const ErrorNode& plain, const ErrorNode& logged) {
  INFO(plain.type << ": " << plain.message);
  CHECK(plain.type == logged.type);
  CHECK(plain.message == logged.message);
  REQUIRE(plain.frames.size() == logged.frames.size());
  for (size_t i = 0; i < plain.frames.size(); ++i) {
    CHECK(plain.frames[i].function == logged.frames[i].function);
    CHECK(plain.frames[i].filename == logged.frames[i].filename);
    CHECK(plain.frames[i].module == logged.frames[i].module);
    CHECK(plain.frames[i].lineno == logged.frames[i].lineno);
    CHECK(plain.frames[i].colno == logged.frames[i].colno);
    CHECK(plain.frames[i].in_app == logged.frames[i].in_app);
  }
  REQUIRE(static_cast<bool>(plain.cause) == static_cast<bool>(logged.cause));
  if (plain.cause) same_errors(*plain.cause, *logged.cause);
  REQUIRE(plain.errors.size() == logged.errors.size());
  for (size_t i = 0; i < plain.errors.size(); ++i) same_errors(plain.errors[i], logged.errors[i]);
}

}  // namespace

TEST_CASE("plain_error: Express's default handler output, every dump found", "[plain_error]") {
  const Outcome o = assemble(lines_of("pino/a-default.stderr.txt"));
  CHECK(o.released == 0);
  std::map<std::string, int> types;
  for (const PlainErrorDump& d : o.dumps) {
    CHECK_FALSE(d.crash);
    CHECK_FALSE(d.truncated);
    CHECK(d.prefix.empty());
    types[str(d.err.find("type"))]++;
  }
  CHECK(o.dumps.size() == 50);
  CHECK(types["TypeError"] == 11);
  CHECK(types["PaymentTimeoutError"] == 10);
  CHECK(types["SyntaxError"] == 9);
  CHECK(types["AggregateError"] == 5);
  CHECK(types["Error"] == 15);  // 11 reports, 4 out-of-stock
  CHECK(o.dumps.front().first_line == 1);
  CHECK(o.dumps.front().last_line == 18);
  CHECK(o.dumps.front().offset == 0);
}

TEST_CASE("plain_error: a cause chain with the properties JSON lost", "[plain_error]") {
  const Outcome o = assemble(lines_of("pino/a-default.stderr.txt"));
  const PlainErrorDump& d = dump_with(o, "Error: report 42 generation failed");
  const ErrorTree tree = faultline::parse_pino_error(d.err);
  const ErrorNode& root = tree.root;
  CHECK(root.type == "Error");
  CHECK(root.message == "report 42 generation failed");
  REQUIRE(root.frames.size() == 2);
  // The " {" util.inspect put after the last frame is not part of it.
  CHECK(root.frames.front().function == "process.processTicksAndRejections");
  CHECK(root.frames.front().filename == "node:internal/process/task_queues");
  REQUIRE(root.cause);
  CHECK(root.cause->type == "DatabaseError");
  CHECK(str(root.cause->properties.find("code")) == "DB_QUERY_FAILED");
  CHECK(str(root.cause->properties.find("query")) ==
        "SELECT * FROM report_rows WHERE report_id = $1");
  REQUIRE(root.cause->cause);
  const ErrorNode& inner = *root.cause->cause;
  CHECK(inner.message == "connect ECONNREFUSED 127.0.0.1:1");
  CHECK(inner.properties.find("errno")->as_int() == -111);
  CHECK(inner.properties.find("port")->as_int() == 1);
  REQUIRE(inner.frames.size() == 1);
  CHECK(inner.frames[0].function == "TCPConnectWrap.afterConnect [as oncomplete]");

  // The same failure as pino logged it (default serializer): the same errors and frames.
  same_errors(root, faultline::parse_pino_error(logged_err("report 42 generation failed")).root);
}

TEST_CASE("plain_error: the same exception model as the JSON path", "[plain_error]") {
  const Outcome o = assemble(lines_of("pino/a-default.stderr.txt"));
  for (std::string_view failure : {"Cannot read properties of undefined (reading 'total')",
                                   "Expected double-quoted property name in JSON at position 54",
                                   "payment provider acme-pay did not respond within 3000ms",
                                   "insufficient stock for OOS-7781"}) {
    INFO(failure);
    const PlainErrorDump& d = dump_with(o, failure);
    const json::Value logged = logged_err(std::string("\"message\":\"") + std::string(failure));
    same_errors(faultline::parse_pino_error(d.err).root, faultline::parse_pino_error(logged).root);
  }
  // Own properties printed after the stack are the error's properties, as pino logs them.
  const ErrorTree stock =
      faultline::parse_pino_error(dump_with(o, "insufficient stock for OOS-7781").err);
  CHECK(json::to_string(*stock.root.properties.find("details")) ==
        R"({"reservedBy":["ord-8812","ord-8813"],"restockEta":"2025-07-01"})");
  CHECK(stock.root.properties.find("status")->as_int() == 409);
  const ErrorTree syntax = faultline::parse_pino_error(dump_with(o, "SyntaxError").err);
  CHECK(str(syntax.root.properties.find("body")) ==
        R"({"email": "broken@example.com", "password": "hunter2",)");
  CHECK(syntax.root.properties.find("expose")->as_bool());
}

TEST_CASE("plain_error: an AggregateError without frames, its [errors]", "[plain_error]") {
  const Outcome o = assemble(lines_of("pino/a-default.stderr.txt"));
  const PlainErrorDump& d = dump_with(o, "[AggregateError: All promises were rejected]");
  const ErrorTree tree = faultline::parse_pino_error(d.err);
  CHECK(tree.root.type == "AggregateError");
  CHECK(tree.root.message == "All promises were rejected");
  CHECK(tree.root.frames.empty());
  CHECK(tree.root.exception_group);
  REQUIRE(tree.root.errors.size() == 3);
  CHECK(str(tree.root.errors[0].properties.find("code")) == "ETIMEDOUT");
  CHECK(tree.root.errors[1].properties.find("statusCode")->as_int() == 503);
  CHECK(tree.root.errors[2].type == "TypeError");
  CHECK(tree.root.errors[2].index == 2);
  CHECK(tree.root.errors[0].frames.back().function == "?");  // "at /tmp/pinolab/app.js:363:37"
  CHECK(tree.root.errors[0].frames.front().lineno == 367);
  same_errors(tree.root,
              faultline::parse_pino_error(logged_err("All promises were rejected")).root);
}

TEST_CASE("plain_error: Node's crash reports", "[plain_error]") {
  const Outcome o = assemble(lines_of("plain/node-crashes.stderr.txt"));
  REQUIRE(o.dumps.size() == 7);
  CHECK(o.released == 1);  // the blank line Node writes before the location of a thrown string
  for (const PlainErrorDump& d : o.dumps) {
    INFO(d.text);
    CHECK(d.crash);
    CHECK(d.node_version == "v20.20.2");
    CHECK_FALSE(d.crash_site.empty());
    CHECK_FALSE(d.truncated);
  }
  const PlainErrorDump& thrown = o.dumps[0];
  CHECK(thrown.crash_site == "/tmp/app/crash-throw.js:6");
  CHECK(str(thrown.err.find("message")) == "payment declined for order 42");
  CHECK(str(thrown.err.find("code")) == "E_DECLINED");
  CHECK(thrown.err.find("statusCode")->as_int() == 402);
  CHECK(faultline::parse_pino_error(thrown.err).root.frames.size() == 8);

  CHECK(str(o.dumps[1].err.find("type")) == "TypeError");
  CHECK(o.dumps[1].crash_site == "/tmp/app/crash-timer.js:2");

  const PlainErrorDump& rejection = o.dumps[2];
  CHECK(rejection.crash_site == "node:internal/process/promises:389");
  CHECK(str(rejection.err.find("type")) == "UnhandledPromiseRejection");
  CHECK(str(rejection.err.find("code")) == "ERR_UNHANDLED_REJECTION");

  const ErrorTree async_cause = faultline::parse_pino_error(o.dumps[3].err);
  REQUIRE(async_cause.root.cause);
  CHECK(async_cause.root.frames.size() == async_cause.root.cause->frames.size());
  CHECK(o.dumps[3].elisions == 1);

  const PlainErrorDump& string = o.dumps[4];
  CHECK(string.thrown_value);
  REQUIRE(string.err.is_string());
  CHECK(string.err.as_string() == "boom");

  // The emitter's frames Node adds to the report are not the error's.
  const ErrorTree emitter = faultline::parse_pino_error(o.dumps[5].err);
  CHECK(emitter.root.frames.size() == 4);
  CHECK(str(o.dumps[5].err.find("code")) == "EADDRINUSE");
  CHECK(o.dumps[5].crash_site == "node:events:502");

  const ErrorTree assertion = faultline::parse_pino_error(o.dumps[6].err);
  CHECK(assertion.root.type == "AssertionError");
  CHECK(assertion.root.message == "Expected values to be strictly equal:\n\n1 !== 2\n");
  CHECK(str(assertion.root.properties.find("code")) == "ERR_ASSERTION");
}

TEST_CASE("plain_error: console.error output", "[plain_error]") {
  const Outcome o = assemble(lines_of("plain/node-console.stderr.txt"));
  REQUIRE(o.dumps.size() == 3);
  CHECK(o.released == 1);  // "[custom stack without frames] { … }": not an error's header
  CHECK(o.dumps[0].prefix == "Failed to charge:");
  CHECK(str(o.dumps[0].err.find("message")) == "charge failed");
  CHECK(str(o.dumps[1].err.find("type")) == "AggregateError");
  CHECK(str(o.dumps[2].err.find("message")) == "outer");
  for (const PlainErrorDump& d : o.dumps) CHECK_FALSE(d.crash);
}

TEST_CASE("plain_error: ordinary lines are released, dumps among them found", "[plain_error]") {
  const Outcome o =
      assemble(split("Server listening on port 3000\n"
                     "GET /api/orders 500 - Internal Server Error\n"
                     "INFO: cache warmed\n"
                     "Error: config file missing, using defaults\n"
                     "\n"
                     "Warning: something\n"
                     "  at least once a day\n"
                     "Node.js v20.20.2\n"
                     "TypeError: x is not a function\n"
                     "    at run (/app/a.js:1:2)\n"
                     "after the dump\n"
                     "    at stray (/app/b.js:1:1)\n"
                     "}\n"
                     "Error: no frames yet\n"));
  REQUIRE(o.dumps.size() == 1);
  CHECK(o.released == 12);
  CHECK(o.dumps[0].first_line == 9);
  CHECK(o.dumps[0].last_line == 10);
  CHECK(o.dumps[0].text == "TypeError: x is not a function\n    at run (/app/a.js:1:2)");
}

TEST_CASE("plain_error: a header waits for its frames, then a flush decides", "[plain_error]") {
  PlainErrorAssembler a;
  a.feed("Error: one", 100, 7);
  CHECK(a.holding());
  CHECK(a.oldest_held() == 100u);
  CHECK(a.take_released() == 0);
  a.flush();  // a JSON line came: no frame followed
  CHECK(a.take_released() == 1);
  PlainErrorDump d;
  CHECK_FALSE(a.take(d));

  // A dump is complete only when a line cannot continue it (or at a flush).
  a.feed("Error: two", 200, 8);
  a.feed("    at x (/a.js:1:1)", 211, 9);
  CHECK_FALSE(a.take(d));
  a.flush();
  REQUIRE(a.take(d));
  CHECK(d.offset == 200);
  CHECK_FALSE(d.crash);
}

TEST_CASE("plain_error: Node's closing line after blank lines makes a crash", "[plain_error]") {
  const Outcome o =
      assemble(split("Error: boom\n    at x (/a.js:1:1)\n\nNode.js v22.1.0\nnext line\n"));
  REQUIRE(o.dumps.size() == 1);
  CHECK(o.dumps[0].crash);
  CHECK(o.dumps[0].node_version == "v22.1.0");
  CHECK(o.dumps[0].lines == 4);
  CHECK(o.released == 1);
}

TEST_CASE("plain_error: limits cut a dump, the rest are ordinary lines", "[plain_error]") {
  std::string text = "RangeError: Maximum call stack size exceeded\n";
  for (int i = 0; i < 300; ++i) text += "    at recurse (/app/r.js:1:1)\n";
  PlainErrorLimits limits;
  limits.max_lines = 100;
  const Outcome o = assemble(split(text), limits);
  REQUIRE(o.dumps.size() == 1);
  CHECK(o.dumps[0].truncated);
  CHECK(o.dumps[0].lines == 100);
  CHECK(o.released == 201);
  // A header that never gets its frames holds at most max_message_lines lines.
  std::string waiting = "Error: a\n";
  for (int i = 0; i < 100; ++i) waiting += "line " + std::to_string(i) + "\n";
  waiting += "    at late (/a.js:1:1)\n";
  const Outcome w = assemble(split(waiting));
  CHECK(w.dumps.empty());
  CHECK(w.released == 102);
}

TEST_CASE("plain_error: hostile lines never crash and every line is accounted for",
          "[plain_error]") {
  const std::vector<std::string> pieces = {"Error: x",
                                           "    at a (/a.js:1:1) {",
                                           "  [cause]: Error: y",
                                           "      at b (b:1:1)",
                                           "}",
                                           "[Error: z] {",
                                           "  [errors]: [",
                                           "    'a',",
                                           "",
                                           "/app/x.js:3",
                                           "  ^",
                                           "Node.js v1",
                                           "(Use `node --trace-uncaught ...`)",
                                           "  k: { a: [ 'b",
                                           "<ref *1> Error: c",
                                           "    ... 2 lines matching cause stack trace ...",
                                           "{",
                                           "]",
                                           "Failed: TypeError",
                                           "'unterminated"};
  uint64_t seed = 42;
  std::vector<std::string> lines;
  for (int i = 0; i < 20000; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    lines.push_back(pieces[(seed >> 33) % pieces.size()]);
  }
  const Outcome o = assemble(lines);
  CHECK(o.released > 0);
}
