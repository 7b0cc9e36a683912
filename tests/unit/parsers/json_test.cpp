#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

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

TEST_CASE("json: writer finds what needs escaping at any place in a long string", "[json]") {
  // The writer looks at eight bytes at a time: put each kind of byte at every place of a block.
  const std::pair<std::string, std::string> kinds[] = {
      {"\"", "\\\""},      {"\\", "\\\\"},           {"\n", "\\n"},           {"\x01", "\\u0001"},
      {"\x7f", "\\u007f"}, {"\xc3\xa9", "\xc3\xa9"}, {"\xff", "\xEF\xBF\xBD"}};
  for (const auto& [raw, written] : kinds) {
    for (size_t at = 0; at < 18; ++at) {
      const std::string text = std::string(at, 'a') + raw + std::string(20 - at, 'b');
      std::string out;
      faultline::json::write_string(text, out);
      INFO("byte " << at);
      CHECK(out == "\"" + std::string(at, 'a') + written + std::string(20 - at, 'b') + "\"");
    }
  }
}

TEST_CASE("json: objects with many keys keep the last of duplicates, in the first place",
          "[json]") {
  std::string text = "{";
  for (int i = 0; i < 40; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text += R"("k3":"again","k30":"again","k39":"again")";
  // As is, and with a number the DOM parser refuses (read value by value instead).
  for (const std::string& end : {std::string("}"), std::string(R"(,"far":1e400})")}) {
    auto v = faultline::json::parse(text + end);
    REQUIRE(v.ok());
    const faultline::json::Object& o = v->as_object();
    REQUIRE(o.size() == (end.size() == 1 ? 40u : 41u));
    CHECK(o.members()[3].value.as_string() == "again");
    CHECK(o.members()[30].value.as_string() == "again");
    CHECK(o.members()[39].value.as_string() == "again");
    CHECK(o.members()[4].value.as_int() == 4);
  }
}

TEST_CASE("json: big unsigned integers keep their digits, not a rounded double", "[json]") {
  Value v(uint64_t{18446744073709551615ull});
  REQUIRE(v.type() == Value::Type::kBigInt);
  CHECK(v.as_big_int().digits == "18446744073709551615");
  CHECK(v.as_double() == 18446744073709551616.0);
  CHECK(v.is_number());
  CHECK_FALSE(v.is_int());
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

namespace {

std::string nested(size_t levels, std::string_view inside = "") {
  return std::string(levels, '[') + std::string(inside) + std::string(levels, ']');
}

// An error record with one odd field next to its err, as the fault-injection run wrote them.
std::string record_with(std::string_view odd) {
  return R"({"level":50,"reqId":7,"odd":)" + std::string(odd) +
         R"(,"err":{"type":"Error","message":"boom"},"msg":"boom"})";
}

void check_rest_of_record(const Value& v) {
  CHECK(v.find("level")->as_int() == 50);
  CHECK(v.find("reqId")->as_int() == 7);
  CHECK(v.find_path("err.message")->as_string() == "boom");
  CHECK(v.find("msg")->as_string() == "boom");
}

}  // namespace

TEST_CASE("json: a container nested too deep becomes the marker, the rest is kept", "[json]") {
  using faultline::json::kMaxDepth;
  using faultline::json::kTooDeep;
  // Past what simdjson's DOM takes (1024: read value by value), and past kMaxDepth only.
  for (size_t levels : {size_t{1100}, size_t{100000}, kMaxDepth + 5}) {
    INFO(levels);
    size_t unreadable = 0;
    auto v = faultline::json::parse(record_with(nested(levels, "1")), &unreadable);
    REQUIRE(v.ok());
    check_rest_of_record(*v);
    CHECK(unreadable == 1);
    // The record is level 1, "odd" level 2: levels 2 .. kMaxDepth stay, the next is the marker.
    const Value* cur = v->find("odd");
    for (size_t level = 2; level <= kMaxDepth; ++level) {
      REQUIRE(cur->is_array());
      cur = &cur->as_array()[0];
    }
    CHECK(cur->as_string() == kTooDeep);
  }
  // Exactly kMaxDepth levels: nothing is cut.
  size_t unreadable = 0;
  auto whole = faultline::json::parse(nested(kMaxDepth, "1"), &unreadable);
  REQUIRE(whole.ok());
  CHECK(unreadable == 0);
  CHECK(faultline::json::to_string(*whole) == nested(kMaxDepth, "1"));
  // Deep objects as well as arrays, and several of them, each counted.
  std::string objects;
  for (int i = 0; i < 2000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(2000, '}');
  auto two = faultline::json::parse(R"({"x":)" + objects + R"(,"y":)" + objects + "}", &unreadable);
  REQUIRE(two.ok());
  CHECK(unreadable == 2);
  // With a lone surrogate (repaired) and invalid UTF-8 (replaced) in the same record.
  unreadable = 0;
  auto repaired =
      faultline::json::parse("{\"m\":\"\\ud800\xff\",\"odd\":" + nested(2000) + "}", &unreadable);
  REQUIRE(repaired.ok());
  CHECK(unreadable == 1);
  CHECK(repaired->find("m")->as_string() == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("json: deep nesting that is not JSON is still an error", "[json]") {
  for (const std::string& text :
       std::vector<std::string>{nested(2000) + "]", "{\"a\":" + std::string(2000, '[') + "}",
                                "{\"a\":" + nested(2000) + ",}", "{\"a\":1e309,}", "{\"a\":01}",
                                "{\"a\":-}", "{\"a\":1.}", "{\"a\":18446744073709551616} x"}) {
    INFO(text.substr(0, 40));
    CHECK_FALSE(faultline::json::parse(text).ok());
  }
}

TEST_CASE("json: a number beyond a double's range becomes the marker", "[json]") {
  using faultline::json::kNumberOutOfRange;
  for (std::string_view odd :
       std::vector<std::string_view>{"1e309", "-1e309", "1.5E+400", "[0,1e999]"}) {
    INFO(odd);
    size_t unreadable = 0;
    auto v = faultline::json::parse(record_with(odd), &unreadable);
    REQUIRE(v.ok());
    check_rest_of_record(*v);
    CHECK(unreadable == 1);
    const Value* odd_value = v->find("odd");
    if (odd_value->is_array()) odd_value = &odd_value->as_array()[1];
    CHECK(odd_value->as_string() == kNumberOutOfRange);
  }
  // An integer too long for a double, too (JSON.parse's Infinity), but not a tiny number (0).
  size_t unreadable = 0;
  auto v = faultline::json::parse(
      R"({"big":1)" + std::string(400, '0') + R"(,"tiny":1e-400,"neg_tiny":-0.001e-999})",
      &unreadable);
  REQUIRE(v.ok());
  CHECK(unreadable == 1);
  CHECK(v->find("big")->as_string() == kNumberOutOfRange);
  CHECK(v->find("tiny")->as_double() == 0.0);
  CHECK(v->find("neg_tiny")->as_double() == 0.0);
}

TEST_CASE("json: integers beyond int64 keep their digits as written", "[json]") {
  // JSON.parse rounds them to doubles, which makes distinct ids equal: 18446744073709551615 and
  // 18446744073709551614 are both 18446744073709552000 to JavaScript.
  size_t unreadable = 0;
  auto v = faultline::json::parse(
      R"({"a":18446744073709551615,"b":18446744073709551614,"c":-9223372036854775809,)"
      R"("d":[100000000000000000000],"e":-123456789012345678901234567890,"f":1.12345678901234567890123,)"
      R"("s":"12345678901234567890123"})",
      &unreadable);
  REQUIRE(v.ok());
  CHECK(unreadable == 0);
  CHECK(v->find("a")->type() == Value::Type::kBigInt);
  CHECK(v->find("a")->as_big_int().digits == "18446744073709551615");
  CHECK(v->find("b")->as_big_int().digits == "18446744073709551614");
  CHECK_FALSE(*v->find("a") == *v->find("b"));
  CHECK(v->find("a")->as_double() == 18446744073709551616.0);
  CHECK(v->find("c")->as_big_int().digits == "-9223372036854775809");
  CHECK(v->find("c")->as_double() == -9223372036854775808.0);
  CHECK(v->find("d")->as_array()[0].as_big_int().digits == "100000000000000000000");
  CHECK(v->find("e")->as_double() == -1.2345678901234568e29);
  CHECK(v->find("f")->as_double() == 1.1234567890123457);
  CHECK(v->find("s")->as_string() == "12345678901234567890123");  // strings are not numbers
  // Written back exactly, and read back equal.
  const std::string text = faultline::json::to_string(*v);
  CHECK(text.find(R"("a":18446744073709551615,"b":18446744073709551614,)") != std::string::npos);
  CHECK(text.find(R"("c":-9223372036854775809,)") != std::string::npos);
  auto again = faultline::json::parse(text);
  REQUIRE(again.ok());
  CHECK(*again == *v);
  // Up to int64 they stay integers; from INT64_MAX + 1 on, BigInt (with the DOM parser too).
  auto small = faultline::json::parse(R"({"n":9223372036854775807,"u":9223372036854775808})");
  REQUIRE(small.ok());
  CHECK(small->find("n")->as_int() == 9223372036854775807);
  CHECK(small->find("u")->as_big_int().digits == "9223372036854775808");
  // A lone surrogate next to a big integer is repaired as well.
  auto both = faultline::json::parse(R"({"a":123456789012345678901,"m":"\ud800"})");
  REQUIRE(both.ok());
  CHECK(both->find("m")->as_string() == "\xEF\xBF\xBD");
  CHECK(both->find("a")->as_big_int().digits == "123456789012345678901");
}

TEST_CASE("json: beyond_double reads what simdjson refuses as JSON.parse does", "[json]") {
  using faultline::json::beyond_double;
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(beyond_double("1e309") == inf);
  CHECK(beyond_double("-1e309") == -inf);
  CHECK(beyond_double("0.0001e312") == inf);
  CHECK(beyond_double("1" + std::string(400, '0')) == inf);
  CHECK(beyond_double("1e-400") == 0.0);
  CHECK(beyond_double("12345e-400") == 0.0);
  CHECK(beyond_double("0.000e99999") == 0.0);
  CHECK(beyond_double("1e99999999999999999999999") == inf);
  CHECK(beyond_double("1e-99999999999999999999999") == 0.0);
}

TEST_CASE("json: large doubles are written so that parse reads them back", "[json]") {
  using faultline::json::to_string;
  CHECK(to_string(Value(18446744073709551616.0)) == "1.8446744073709552e+19");
  CHECK(to_string(Value(uint64_t{18446744073709551615u})) == "18446744073709551615");
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
