#include <catch2/catch.hpp>

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
}
