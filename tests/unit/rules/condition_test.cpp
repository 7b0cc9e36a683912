// `when:` conditions, each kind on its own, then combined.
#include <catch2/catch.hpp>

#include "parsers/json.h"
#include "rules/condition.h"

#include <re2/re2.h>

using faultline::json::Value;
using namespace faultline::rules;

namespace {

const char* kEvent = R"json({
  "event_id": "0123456789abcdef0123456789abcdef", "level": "error", "environment": "staging",
  "message": "upstream failed",
  "exception": {"values": [
    {"type": "DatabaseError", "value": "connect ECONNREFUSED"},
    {"type": "PaymentTimeoutError", "value": "payment provider acme-pay did not respond"}]},
  "request": {"method": "POST", "url": "https://shop.example.com/api/payments/42?retry=1#x",
              "headers": {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}},
  "tags": {"http.status_code": "504", "route": "/api/payments/:id", "queue": "emails",
           "error.code": "PAYMENT_TIMEOUT"},
  "extra": {"component": "worker", "attempts": 3, "flag": true, "items": [{"sku": "A"}, {"sku": "B"}],
            "req": {"remotePort": 37204}}
})json";

bool eval(const std::string& when_yaml, const char* event_json = kEvent) {
  faultline::yaml::Reader r("faultline.yaml");
  auto when = r.parse(when_yaml);
  REQUIRE(when.has_value());
  auto c = Condition::compile(r, *when, "when");
  INFO(r.status().message());
  REQUIRE(c.has_value());
  auto e = faultline::json::parse(event_json);
  REQUIRE(e.ok());
  return c->eval(*e);
}

std::string error_of(const std::string& when_yaml) {
  faultline::yaml::Reader r("faultline.yaml");
  auto when = r.parse(when_yaml);
  REQUIRE(when.has_value());
  auto c = Condition::compile(r, *when, "rules.list[0].when");
  REQUIRE_FALSE(c.has_value());
  REQUIRE_FALSE(r.ok());
  return r.errors()[0];
}

}  // namespace

TEST_CASE("condition: an absent when always holds", "[condition]") {
  Condition c;
  REQUIRE(c.always());
  REQUIRE(c.eval(Value()));
}

TEST_CASE("condition: level", "[condition]") {
  REQUIRE(eval("{level: error}"));
  REQUIRE_FALSE(eval("{level: fatal}"));
  REQUIRE(eval("{level: [warning, error]}"));
  REQUIRE(eval("{level: '>= warning'}"));
  REQUIRE_FALSE(eval("{level: '>=fatal'}"));
  REQUIRE(eval("{level: '<= error'}"));
  REQUIRE(eval("{level: '>= warn'}"));
  // Sentry's default level is error.
  REQUIRE(eval("{level: error}", R"({"message": "x"})"));
}

TEST_CASE("condition: message matches the message or the logged exception's value", "[condition]") {
  REQUIRE(eval("{message: '^upstream'}"));
  REQUIRE(eval("{message: 'acme-pay did not'}"));    // the last exception
  REQUIRE_FALSE(eval("{message: 'ECONNREFUSED'}"));  // a cause, not the logged error
  REQUIRE(eval("{message: ['nope', '(?i)UPSTREAM']}"));
  REQUIRE(eval("{message: 'aborted'}", R"({"logentry": {"formatted": "request aborted"}})"));
}

TEST_CASE("condition: has, equals, matches on event and record paths", "[condition]") {
  REQUIRE(eval("{has: extra.component}"));
  REQUIRE(eval("{has: component}"));  // a record path: under extra
  REQUIRE(eval("{has: req.remotePort}"));
  REQUIRE(eval("{has: 'extra.items[*].sku'}"));
  REQUIRE_FALSE(eval("{has: extra.missing}"));
  REQUIRE(eval("{has: [extra.missing, tags.queue]}"));
  REQUIRE(eval("{equals: {extra.component: worker}}"));
  REQUIRE(eval("{equals: {extra.attempts: 3, extra.flag: 'true'}}"));
  REQUIRE_FALSE(eval("{equals: {extra.attempts: 4}}"));
  REQUIRE(eval("{equals: {'extra.items[1].sku': [X, B]}}"));
  REQUIRE(eval("{matches: {extra.component: '^work'}}"));
  REQUIRE(eval("{matches: {'tags[\"error.code\"]': TIMEOUT$}}"));
  REQUIRE_FALSE(eval("{matches: {extra.items: 'sku'}}"));  // containers are not text
}

TEST_CASE("condition: status forms", "[condition]") {
  REQUIRE(eval("{status: 504}"));
  REQUIRE(eval("{status: 5xx}"));
  REQUIRE(eval("{status: '500-599'}"));
  REQUIRE(eval("{status: [404, '5xx']}"));
  REQUIRE_FALSE(eval("{status: 4xx}"));
  REQUIRE_FALSE(eval("{status: 4xx}", R"({"message": "no status"})"));
  REQUIRE(eval("{status: 404}", R"({"tags": {"http.status_code": 404}})"));
}

TEST_CASE("condition: route, url, queue, environment globs", "[condition]") {
  REQUIRE(eval("{route: '/api/pay*'}"));
  REQUIRE(eval("{route: '/api/payments/:id'}"));
  REQUIRE_FALSE(eval("{route: '/api/pay'}"));  // globs match the whole text
  REQUIRE(eval("{url: '/api/payments/*'}"));   // path only: no scheme, host, query, fragment
  REQUIRE(eval("{url: '/api/payments/4?'}"));
  REQUIRE_FALSE(eval("{url: '*retry*'}"));
  REQUIRE(eval("{queue: email*}"));
  REQUIRE(eval("{environment: [production, staging]}"));
  REQUIRE(eval("{route: '/x'}", R"({"transaction": "/x"})"));  // transaction when no route tag
}

TEST_CASE("condition: error type, type in chain, code", "[condition]") {
  REQUIRE(eval("{error-type: PaymentTimeoutError}"));
  REQUIRE(eval("{error-type: '*Timeout*'}"));
  REQUIRE_FALSE(eval("{error-type: DatabaseError}"));
  REQUIRE(eval("{error-type-in-chain: DatabaseError}"));
  REQUIRE(eval("{error-code: PAYMENT_*}"));
  REQUIRE_FALSE(eval("{error-code: ECONNRESET}"));
}

TEST_CASE("condition: header names are case-insensitive", "[condition]") {
  REQUIRE(eval("{header: {user-agent: '(?i)bot'}}"));
  REQUIRE_FALSE(eval("{header: {x-missing: '.*'}}"));
}

TEST_CASE("condition: several keys must all hold, and any, all, not combine", "[condition]") {
  REQUIRE(eval("{level: error, status: 5xx}"));
  REQUIRE_FALSE(eval("{level: error, status: 4xx}"));
  REQUIRE(eval("{any: [{status: 4xx}, {queue: emails}]}"));
  REQUIRE_FALSE(eval("{all: [{status: 5xx}, {queue: jobs}]}"));
  REQUIRE(eval("{not: {status: 4xx}}"));
  REQUIRE(eval("{not: {any: [{level: fatal}, {environment: production}]}}"));
}

TEST_CASE("condition: errors say where and what", "[condition]") {
  REQUIRE(error_of("{message: '('}") ==
          "faultline.yaml:1:11: rules.list[0].when.message: bad RE2 pattern \"(\": missing ): (");
  REQUIRE(error_of("{levl: error}") ==
          "faultline.yaml:1:2: rules.list[0].when.levl: unknown key (did you mean \"level\"?)");
  REQUIRE(error_of("{level: errror}").find("unknown level \"errror\" (did you mean \"error\"?)") !=
          std::string::npos);
  REQUIRE(error_of("{status: 4x}").find("expected a status like 404") != std::string::npos);
  REQUIRE(error_of("{has: 'a..b'}").find("bad path \"a..b\": empty key at character 3") !=
          std::string::npos);
  REQUIRE(error_of("{any: {level: error}}").find("expected a non-empty list of conditions") !=
          std::string::npos);
  REQUIRE(error_of("[level]").find("expected a mapping of conditions") != std::string::npos);
  REQUIRE(error_of("{matches: {extra.a: '[z-a]'}}")
              .find("rules.list[0].when.matches.extra.a: bad RE2 pattern") != std::string::npos);
}

TEST_CASE("condition: globs quote everything but * and ?", "[condition]") {
  RE2 star(glob_to_re2("/a.b*"));
  REQUIRE(RE2::FullMatch("/a.b/c/d", star));
  REQUIRE_FALSE(RE2::FullMatch("/aXb", star));
  RE2 one(glob_to_re2("x?y(z)"));
  REQUIRE(RE2::FullMatch("x-y(z)", one));
  REQUIRE_FALSE(RE2::FullMatch("xy(z)", one));
}
