// FieldPlan: path syntax (pino's redact-style dot/bracket notation) and the trie of slots.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "parsers/field_plan.h"

using faultline::FieldPlan;
using Keys = std::vector<std::string>;

namespace {

Keys split(std::string_view path) {
  auto keys = FieldPlan::split_path(path);
  INFO("path: " << path << " error: " << keys.message());
  REQUIRE(keys.ok());
  return *keys;
}

std::string split_error(std::string_view path) {
  auto keys = FieldPlan::split_path(path);
  INFO("path: " << path);
  REQUIRE_FALSE(keys.ok());
  return keys.message();
}

}  // namespace

TEST_CASE("field_plan: split_path on dots and brackets", "[field_plan]") {
  CHECK(split("a") == Keys{"a"});
  CHECK(split("a.b") == Keys{"a", "b"});
  CHECK(split("req.headers.host") == Keys{"req", "headers", "host"});
  CHECK(split(R"(a["x.y"].b)") == Keys{"a", "x.y", "b"});
  CHECK(split(R"(["a-b"].c)") == Keys{"a-b", "c"});
  CHECK(split(R"(req.headers["x-api-key"])") == Keys{"req", "headers", "x-api-key"});
  CHECK(split("a[0]") == Keys{"a", "0"});
  CHECK(split("a[0][1]") == Keys{"a", "0", "1"});
  CHECK(split("a[0].b") == Keys{"a", "0", "b"});
  CHECK(split("a[*]") == Keys{"a", "*"});
  CHECK(split("a[*].b") == Keys{"a", "*", "b"});
  CHECK(split("*.password") == Keys{"*", "password"});
  CHECK(split("a.*") == Keys{"a", "*"});
  CHECK(split("@timestamp") == Keys{"@timestamp"});
  CHECK(split("[0]") == Keys{"0"});
  // Single quotes work like double quotes.
  CHECK(split("a['x.y']") == Keys{"a", "x.y"});
  CHECK(split(R"(a['say "hi"'])") == Keys{"a", R"(say "hi")"});
  // Inside quotes, a backslash takes the next character literally; dots, brackets and the other
  // quote are plain characters.
  CHECK(split(R"(a["x\"y"])") == Keys{"a", R"(x"y)"});
  CHECK(split(R"(a["x\\y"])") == Keys{"a", R"(x\y)"});
  CHECK(split(R"(a["x\]y"].b)") == Keys{"a", "x]y", "b"});
  CHECK(split(R"(a["x]y[z"])") == Keys{"a", "x]y[z"});
  CHECK(split(R"(a["it's"])") == Keys{"a", "it's"});
  CHECK(split(R"(a[""])") == Keys{"a", ""});  // obj[""] is a real key in JS
  // Keys are case-sensitive and kept byte for byte.
  CHECK(split("Req.ID") == Keys{"Req", "ID"});
  CHECK(split("caf\xC3\xA9.x") == Keys{"caf\xC3\xA9", "x"});
}

TEST_CASE("field_plan: split_path errors name the problem and the character", "[field_plan]") {
  CHECK(split_error("") == "empty path");
  CHECK(split_error("a..b") == R"(path "a..b": empty key at character 3)");
  CHECK(split_error(".a") == R"(path ".a": empty key at character 1)");
  CHECK(split_error("a.") == R"(path "a.": empty key at character 3)");
  CHECK(split_error("a[0].") == R"(path "a[0].": empty key at character 6)");
  CHECK(split_error("a[") == R"(path "a[": expected ']' at character 3)");
  CHECK(split_error("a[0") == R"(path "a[0": expected ']' at character 4)");
  CHECK(split_error(R"(a["x)") == R"(path "a["x": unterminated quote at character 5)");
  CHECK(split_error(R"(a["x\")") == R"(path "a["x\"": unterminated quote at character 7)");
  CHECK(split_error(R"(a["x")") == R"(path "a["x"": expected ']' at character 6)");
  CHECK(split_error(R"(a["x"y])") == R"(path "a["x"y]": expected ']' at character 6)");
  CHECK(split_error("a[]") == R"(path "a[]": empty brackets at character 3)");
  CHECK(split_error("[]") == R"(path "[]": empty brackets at character 2)");
}

TEST_CASE("field_plan: add returns one slot per distinct path", "[field_plan]") {
  FieldPlan plan;
  CHECK(plan.slot_count() == 0);

  auto a = plan.add("req.id");
  REQUIRE(a.ok());
  CHECK(*a == 0);
  auto b = plan.add("reqId");
  REQUIRE(b.ok());
  CHECK(*b == 1);
  // The same path, in either spelling, is the same slot.
  CHECK(*plan.add("req.id") == 0);
  CHECK(*plan.add(R"(req["id"])") == 0);
  CHECK(*plan.add("['req'].id") == 0);
  CHECK(plan.slot_count() == 2);
  // A prefix of a registered path is a path of its own.
  auto req = plan.add("req");
  REQUIRE(req.ok());
  CHECK(*req == 2);
  // A bracketed key with a dot is one key, not two.
  auto dotted = plan.add(R"(req["x.y"])");
  REQUIRE(dotted.ok());
  CHECK(*dotted == 3);
  CHECK(plan.slot_count() == 4);

  // A bad path is reported and registers nothing.
  auto bad = plan.add("req..id");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.message() == R"(path "req..id": empty key at character 5)");
  CHECK(plan.slot_count() == 4);
}

TEST_CASE("field_plan: the trie can be walked key by key", "[field_plan]") {
  FieldPlan plan;
  const int id = *plan.add("req.id");
  const int method = *plan.add("req.method");
  const int dotted = *plan.add(R"(req["x.y"])");
  const int top = *plan.add("msg");

  const int req = plan.child(FieldPlan::kRoot, "req");
  REQUIRE(req != FieldPlan::kNone);
  CHECK(plan.slot(req) == FieldPlan::kNone);  // only a way through
  CHECK(plan.has_children(req));
  CHECK(plan.slot(plan.child(req, "id")) == id);
  CHECK(plan.slot(plan.child(req, "method")) == method);
  CHECK(plan.slot(plan.child(req, "x.y")) == dotted);
  CHECK(plan.child(req, "x") == FieldPlan::kNone);
  CHECK(plan.child(req, "ID") == FieldPlan::kNone);
  CHECK_FALSE(plan.has_children(plan.child(req, "id")));

  const int msg = plan.child(FieldPlan::kRoot, "msg");
  REQUIRE(msg != FieldPlan::kNone);
  CHECK(plan.slot(msg) == top);
  CHECK(plan.child(FieldPlan::kRoot, "id") == FieldPlan::kNone);
  CHECK(plan.child(FieldPlan::kRoot, "") == FieldPlan::kNone);
}
