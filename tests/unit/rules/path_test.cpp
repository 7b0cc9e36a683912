#include <catch2/catch.hpp>

#include "rules/path.h"

using faultline::rules::format_path;
using faultline::rules::parse_path;
using faultline::rules::Path;
using faultline::rules::PathSegment;
using faultline::rules::PathTrie;
using faultline::rules::resolve_paths;
using Kind = PathSegment::Kind;

namespace {

Path must_parse(std::string_view text) {
  auto p = parse_path(text);
  INFO(text << ": " << p.message());
  REQUIRE(p.ok());
  return *p;
}

std::string error_of(std::string_view text) {
  auto p = parse_path(text);
  REQUIRE_FALSE(p.ok());
  return p.message();
}

std::vector<std::string> resolved(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& r : resolve_paths(must_parse(text))) out.push_back(format_path(r.path));
  return out;
}

}  // namespace

TEST_CASE("path: dotted keys", "[path]") {
  Path p = must_parse("req.headers.authorization");
  REQUIRE(p == Path{PathSegment::Key("req"), PathSegment::Key("headers"),
                    PathSegment::Key("authorization")});
}

TEST_CASE("path: bracketed keys with hyphens, dots, quotes and unicode", "[path]") {
  REQUIRE(must_parse(R"(a["x-api-key"])") ==
          Path{PathSegment::Key("a"), PathSegment::Key("x-api-key")});
  REQUIRE(must_parse(R"(a['k.with.dots'].b)") ==
          Path{PathSegment::Key("a"), PathSegment::Key("k.with.dots"), PathSegment::Key("b")});
  REQUIRE(must_parse(R"(["a-b"].c)") == Path{PathSegment::Key("a-b"), PathSegment::Key("c")});
  REQUIRE(must_parse(R"(a["say \"hi\""])") ==
          Path{PathSegment::Key("a"), PathSegment::Key("say \"hi\"")});
  REQUIRE(must_parse("данные.пароль") ==
          Path{PathSegment::Key("данные"), PathSegment::Key("пароль")});
  REQUIRE(must_parse("req.headers.x-api-key") == Path{PathSegment::Key("req"),
                                                      PathSegment::Key("headers"),
                                                      PathSegment::Key("x-api-key")});
}

TEST_CASE("path: wildcards and indices", "[path]") {
  REQUIRE(must_parse("*.password") == Path{PathSegment::Wildcard(), PathSegment::Key("password")});
  REQUIRE(must_parse("items[*].card") ==
          Path{PathSegment::Key("items"), PathSegment::Wildcard(), PathSegment::Key("card")});
  REQUIRE(must_parse("items[12].card") ==
          Path{PathSegment::Key("items"), PathSegment::Index(12), PathSegment::Key("card")});
  REQUIRE(must_parse("a.*.b") ==
          Path{PathSegment::Key("a"), PathSegment::Wildcard(), PathSegment::Key("b")});
  // A quoted star is a literal key.
  REQUIRE(must_parse(R"(a["*"])") == Path{PathSegment::Key("a"), PathSegment::Key("*")});
}

TEST_CASE("path: errors name the character", "[path]") {
  REQUIRE(error_of("a..b") == "empty key at character 3");
  REQUIRE(error_of("") == "empty path");
  REQUIRE(error_of(".a") == "empty key at character 1");
  REQUIRE(error_of("a.") == "empty key at character 3");
  REQUIRE(error_of("a[") == "unterminated '[' at character 2");
  REQUIRE(error_of(R"(a["x)") == "unterminated quoted key at character 3");
  REQUIRE(error_of("a[x]").find("expected a number, * or a quoted key") == 0);
  REQUIRE(error_of("a[]") == "empty brackets at character 2");
  REQUIRE(error_of("a[1").find("expected ']'") == 0);
  REQUIRE(error_of("a.**.b").find("\"**\" is not supported") == 0);
  REQUIRE(error_of("a.pass*") == "a wildcard must be a whole key (\"*\") at character 3");
  REQUIRE(error_of("a b").find("unexpected character ' ' at character 2") == 0);
  REQUIRE(error_of("a[0]b") == "expected '.' or '[' at character 5");
}

TEST_CASE("path: format writes plain keys bare and others in brackets", "[path]") {
  REQUIRE(format_path(must_parse(R"(request.headers["x-api-key"])")) ==
          "request.headers.x-api-key");
  REQUIRE(format_path(must_parse(R"(tags["http.status_code"])")) == R"(tags["http.status_code"])");
  REQUIRE(format_path(must_parse("items[*].card")) == "items[*].card");
  REQUIRE(format_path(must_parse("*.password")) == "*.password");
  REQUIRE(format_path(must_parse("a[3]")) == "a[3]");
  REQUIRE(format_path(must_parse("данные")) == R"(["данные"])");
}

TEST_CASE("path: event paths stand for themselves", "[path]") {
  REQUIRE(resolved("request.headers.authorization") ==
          std::vector<std::string>{"request.headers.authorization"});
  REQUIRE(resolved("extra.payment.cardNumber") ==
          std::vector<std::string>{"extra.payment.cardNumber"});
  REQUIRE(resolve_paths(must_parse("user.email"))[0].as_written);
}

TEST_CASE("path: log record paths map to where the event builder puts them", "[path]") {
  REQUIRE(
      resolved("req.headers.authorization") ==
      std::vector<std::string>{"extra.req.headers.authorization", "request.headers.authorization"});
  REQUIRE(resolved("req.query.access_token") ==
          std::vector<std::string>{"extra.req.query.access_token",
                                   "request.query_string.access_token"});
  REQUIRE(resolved("req.remoteAddress") ==
          std::vector<std::string>{"extra.req.remoteAddress", "request.env.REMOTE_ADDR"});
  REQUIRE(resolved("body.password") ==
          std::vector<std::string>{"extra.body.password", "request.data.password"});
  REQUIRE(resolved("err.message") ==
          std::vector<std::string>{"extra.err.message", "exception.values[*].value"});
  REQUIRE(resolved("err.sql") == std::vector<std::string>{"extra.err.sql", "contexts[*].sql"});
  REQUIRE(resolved("payment.cardNumber") == std::vector<std::string>{"extra.payment.cardNumber"});
  REQUIRE(resolved("*.password") == std::vector<std::string>{"extra[*].password"});
  REQUIRE_FALSE(resolve_paths(must_parse("req.headers.cookie"))[0].as_written);
}

TEST_CASE("path: trie steps by key, index, digit key and wildcard", "[path]") {
  PathTrie trie;
  trie.add(must_parse("a.b"), 0);
  trie.add(must_parse("items[*].card"), 1);
  trie.add(must_parse("list.0"), 2);
  std::vector<const PathTrie::Node*> s1, s2, s3;
  PathTrie::step_key(trie.root(), "a", s1);
  REQUIRE(s1.size() == 1);
  PathTrie::step_key(s1[0], "b", s2);
  REQUIRE(s2.size() == 1);
  REQUIRE(s2[0]->terminal == 0);
  s1.clear();
  s2.clear();
  PathTrie::step_key(trie.root(), "items", s1);
  PathTrie::step_index(s1[0], 7, s2);
  REQUIRE(s2.size() == 1);
  PathTrie::step_key(s2[0], "card", s3);
  REQUIRE(s3.size() == 1);
  REQUIRE(s3[0]->terminal == 1);
  s1.clear();
  s2.clear();
  PathTrie::step_key(trie.root(), "list", s1);
  PathTrie::step_index(s1[0], 0, s2);
  REQUIRE(s2.size() == 1);
  REQUIRE(s2[0]->terminal == 2);
  s2.clear();
  PathTrie::step_index(s1[0], 1, s2);
  REQUIRE(s2.empty());
}

TEST_CASE("path: for_each_match expands wildcards over objects and arrays", "[path]") {
  auto v = faultline::json::parse(
      R"({"items":[{"card":"1"},{"card":"2"},{"x":3}],"m":{"a":{"p":1},"b":{"p":2}}})");
  REQUIRE(v.ok());
  int n = 0;
  faultline::rules::for_each_match(*v, must_parse("items[*].card"), [&](const auto&) { ++n; });
  REQUIRE(n == 2);
  n = 0;
  faultline::rules::for_each_match(*v, must_parse("m.*.p"), [&](const auto&) { ++n; });
  REQUIRE(n == 2);
  n = 0;
  faultline::rules::for_each_match(*v, must_parse("items.1.card"), [&](const auto& x) {
    REQUIRE(x.as_string() == "2");
    ++n;
  });
  REQUIRE(n == 1);
}
