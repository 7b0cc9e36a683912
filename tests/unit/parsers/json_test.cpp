#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "parsers/json.h"

using faultline::json::Value;

TEST_CASE("json: duplicate keys keep the last value at the first position", "[json]") {
  auto v = faultline::json::parse(R"({"reqId":"a","x":1,"reqId":"b"})");
  REQUIRE(v.ok());
  REQUIRE(faultline::json::to_string(*v) == R"({"reqId":"b","x":1})");
}

TEST_CASE("json: round trip of every type", "[json]") {
  const std::string text =
      R"({"a":null,"b":true,"c":-12,"d":1.5,"e":"x\"y\\z\n","f":[1,"2",{}],"g":{"h":[]}})";
  auto v = faultline::json::parse(text);
  REQUIRE(v.ok());
  REQUIRE(faultline::json::to_string(*v) == text);
}

TEST_CASE("json: invalid UTF-8 is replaced, not fatal", "[json]") {
  auto v = faultline::json::parse(
      "{\"m\":\"a\xff"
      "b\"}");
  REQUIRE(v.ok());
  REQUIRE(v->find("m")->as_string() ==
          "a\xEF\xBF\xBD"
          "b");
}

TEST_CASE("json: lone surrogate escapes become U+FFFD", "[json]") {
  auto v = faultline::json::parse(R"({"m":"x\ud800y","ok":"\ud83d\ude00"})");
  REQUIRE(v.ok());
  REQUIRE(v->find("m")->as_string() == "x\xEF\xBF\xBDy");
  REQUIRE(v->find("ok")->as_string() == "\xF0\x9F\x98\x80");
}

TEST_CASE("json: malformed text is an error with a message", "[json]") {
  auto v = faultline::json::parse(R"({"a":)");
  REQUIRE_FALSE(v.ok());
  REQUIRE(v.message().find("invalid JSON") == 0);
}

TEST_CASE("json: writer escapes control characters and repairs invalid bytes", "[json]") {
  std::string out;
  faultline::json::write_string(std::string("a\x01\x7f\xc3", 4), out);
  REQUIRE(out == "\"a\\u0001\\u007f\xEF\xBF\xBD\"");
}

TEST_CASE("json: big unsigned integers become doubles, not garbage", "[json]") {
  Value v(uint64_t{18446744073709551615ull});
  REQUIRE(v.type() == Value::Type::kDouble);
}

TEST_CASE("json: find_path follows object keys", "[json]") {
  auto v = faultline::json::parse(R"({"req":{"headers":{"host":"h"}}})");
  REQUIRE(v.ok());
  REQUIRE(v->find_path("req.headers.host")->as_string() == "h");
  REQUIRE(v->find_path("req.nope.host") == nullptr);
  // ECS writes keys with dots of their own; the configuration brackets them.
  auto ecs =
      faultline::json::parse(R"({"log.level":"error","log":{"level":"x"},"a":{"b.c":{"d":1}}})");
  REQUIRE(ecs.ok());
  CHECK(ecs->find_path(R"(["log.level"])")->as_string() == "error");
  CHECK(ecs->find_path("log.level")->as_string() == "x");
  CHECK(ecs->find_path(R"(a["b.c"].d)")->as_int() == 1);
  CHECK(ecs->find_path(R"(["unterminated)") == nullptr);
}

TEST_CASE("json: has_lone_surrogate agrees with replace_lone_surrogates", "[json]") {
  using faultline::json::has_lone_surrogate;
  using faultline::json::replace_lone_surrogates;
  for (std::string_view text :
       {R"("a\ud800b")", R"("\udc00")", R"("\ud83d\ude00")", R"("\ud800\ud83d\ude00")",
        R"("\\ud800 \n \" \u00e9")", R"("plain")", R"("\ud800)", R"(\)", R"("\u12")"}) {
    INFO(text);
    CHECK(has_lone_surrogate(text) == (replace_lone_surrogates(text) != text));
  }
  CHECK(has_lone_surrogate(R"("a\ud800b")"));
  CHECK(has_lone_surrogate(R"("\udc00")"));
  CHECK(has_lone_surrogate(R"("\ud800\ud83d\ude00")"));
  CHECK(has_lone_surrogate(R"("\ud800)"));
  CHECK_FALSE(has_lone_surrogate(R"("\ud83d\ude00")"));
  CHECK_FALSE(has_lone_surrogate(R"("\\ud800 \n \" \u00e9")"));
  CHECK_FALSE(has_lone_surrogate(R"("\u12")"));
  CHECK_FALSE(has_lone_surrogate(R"(\)"));
}

TEST_CASE("json: replace_lone_surrogates rewrites only unpaired surrogate escapes", "[json]") {
  using faultline::json::replace_lone_surrogates;
  CHECK(replace_lone_surrogates(R"("a\ud800b")") == R"("a\uFFFDb")");
  CHECK(replace_lone_surrogates(R"("\udc00")") == R"("\uFFFD")");
  CHECK(replace_lone_surrogates(R"("\ud83d\ude00")") == R"("\ud83d\ude00")");
  // A high surrogate followed by another high one: the first is lone, the pair after it is kept.
  CHECK(replace_lone_surrogates(R"("\ud800\ud83d\ude00")") == R"("\uFFFD\ud83d\ude00")");
  CHECK(replace_lone_surrogates(R"("\ud800\u0041")") == R"("\uFFFD\u0041")");
  // An escaped backslash is not the start of an escape; other escapes pass through.
  CHECK(replace_lone_surrogates(R"("\\ud800 \n \" \u00e9")") == R"("\\ud800 \n \" \u00e9")");
  // Truncated escapes are left for the parser to reject.
  CHECK(replace_lone_surrogates(R"("\ud8)") == R"("\ud8)");
  CHECK(replace_lone_surrogates("") == "");
}

TEST_CASE("json: lone surrogates next to a valid pair and invalid UTF-8 together", "[json]") {
  auto v = faultline::json::parse("{\"m\":\"\\ud800\\ud800\\udc00\",\"k\xff\":1}");
  REQUIRE(v.ok());
  CHECK(v->find("m")->as_string() == "\xEF\xBF\xBD\xF0\x90\x80\x80");
  CHECK(v->find("k\xEF\xBF\xBD") != nullptr);
}

TEST_CASE("json: writer output for numbers at the edges", "[json]") {
  using faultline::json::to_string;
  CHECK(to_string(Value(std::numeric_limits<double>::infinity())) == "null");
  CHECK(to_string(Value(std::numeric_limits<double>::quiet_NaN())) == "null");
  CHECK(to_string(Value(int64_t{-9223372036854775807 - 1})) == "-9223372036854775808");
  CHECK(to_string(Value(uint64_t{9223372036854775807u})) == "9223372036854775807");
  CHECK(to_string(Value(0.1)) == "0.1");
  CHECK(to_string(Value(1e-7)) == "1e-07");
  // What parse gives back, write gives out again.
  for (const char* text : {R"({"a":18446744073709551615})", R"({"a":-9223372036854775808})",
                           R"({"a":[0.1,1e-7,1.7976931348623157e308]})"}) {
    auto v = faultline::json::parse(text);
    REQUIRE(v.ok());
    auto again = faultline::json::parse(to_string(*v));
    REQUIRE(again.ok());
    CHECK(*again == *v);
  }
}

TEST_CASE("json: nesting deeper than the parser allows is an error, not a crash", "[json]") {
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  auto v = faultline::json::parse(deep);
  REQUIRE_FALSE(v.ok());
  CHECK(v.message() ==
        "invalid JSON: The JSON document was too deep (too many nested objects and arrays)");
}

TEST_CASE("json: integers beyond 64 bits parse as doubles, as JSON.parse reads them", "[json]") {
  // JSON.stringify(2 ** 64) is "18446744073709552000": JavaScript prints integers in full below
  // 1e21.
  auto v = faultline::json::parse(
      R"({"a":18446744073709552000,"b":-123456789012345678901234567890,"c":[100000000000000000000],)"
      R"("d":1.12345678901234567890123,"e":1e-12345678901234567890,"s":"12345678901234567890123"})");
  REQUIRE(v.ok());
  CHECK(v->find("a")->type() == Value::Type::kDouble);
  CHECK(v->find("a")->as_double() == 18446744073709551616.0);
  CHECK(v->find("b")->as_double() == -1.2345678901234568e29);
  CHECK(v->find("c")->as_array()[0].as_double() == 1e20);
  CHECK(v->find("d")->as_double() == 1.1234567890123457);
  CHECK(v->find("e")->as_double() == 0.0);
  CHECK(v->find("s")->as_string() == "12345678901234567890123");  // strings are not numbers
  // 19 digits still fit an integer type.
  auto small = faultline::json::parse(R"({"n":9223372036854775807,"u":18446744073709551615})");
  REQUIRE(small.ok());
  CHECK(small->find("n")->as_int() == 9223372036854775807);
  CHECK(small->find("u")->type() == Value::Type::kDouble);
  // A number out of double range is still an error, and so is a lone surrogate next to it.
  CHECK_FALSE(faultline::json::parse(R"({"a":1e400})").ok());
  auto both = faultline::json::parse(R"({"a":123456789012345678901,"m":"\ud800"})");
  REQUIRE(both.ok());
  CHECK(both->find("m")->as_string() == "\xEF\xBF\xBD");
}

TEST_CASE("json: large doubles are written so that parse reads them back", "[json]") {
  using faultline::json::to_string;
  CHECK(to_string(Value(18446744073709551616.0)) == "1.8446744073709552e+19");
  CHECK(to_string(Value(uint64_t{18446744073709551615u})) == "1.8446744073709552e+19");
  CHECK(to_string(Value(1e19)) == "1e+19");
  CHECK(to_string(Value(-1e300)) == "-1e+300");
  CHECK(to_string(Value(9999999999999997952.0)) == "9999999999999997952");
  for (double d : {18446744073709551616.0, 1.2345678901234567e20, -9.87654321e25, 1e19,
                   7.50162345671881e19 /* found by record_view_fuzz */}) {
    auto v = faultline::json::parse("[" + to_string(Value(d)) + "]");
    REQUIRE(v.ok());
    CHECK(v->as_array()[0].as_double() == d);
  }
}
