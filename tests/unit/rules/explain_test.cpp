// Explain's text form: one line per rule, scrubbed fields below, the verdict last.
#include <catch2/catch.hpp>

#include "parsers/json.h"
#include "rules/engine.h"

using faultline::FakeClock;
using namespace faultline::rules;

TEST_CASE("explain: text form", "[explain]") {
  Explain ex;
  ex.rules.push_back({"preset express-noise: health checks", "drop", false, "", {}});
  ex.rules.push_back({"\"cards\" (rules.list[0])",
                      "scrub",
                      true,
                      "scrubbed 2 fields",
                      {{"extra.payment.cardNumber", "key pattern \"card\" (mask)"},
                       {"message", "@email (mask)"}}});
  ex.verdict = "kept";
  REQUIRE(ex.to_text() ==
          "  preset express-noise: health checks [drop]: no match\n"
          "  \"cards\" (rules.list[0]) [scrub]: scrubbed 2 fields\n"
          "      extra.payment.cardNumber  key pattern \"card\" (mask)\n"
          "      message                   @email (mask)\n"
          "  => kept\n");
  REQUIRE(ex.to_text(true) ==
          "  \"cards\" (rules.list[0]) [scrub]: scrubbed 2 fields\n"
          "      extra.payment.cardNumber  key pattern \"card\" (mask)\n"
          "      message                   @email (mask)\n"
          "  => kept\n");
}

TEST_CASE("explain: apply fills one trace per rule reached and the verdict", "[explain]") {
  const std::string rules_text = R"(
rules:
  presets: []
  list:
    - name: tag payments
      when: {url: '/api/pay*'}
      tag: {area: payments, secret-ish: '{{ extra.card }}'}
    - {user: {id: extra.uid}}
    - {fingerprint: ['{{ route }}', '{{ error.type }}']}
    - {throttle: {max: 5, window: 30s}}
    - {when: {status: 5xx}, drop: server errors are someone else's}
)";
  auto rs = RuleSet::compile_text(rules_text, "faultline.yaml");
  REQUIRE(rs.ok());
  FakeClock clock;
  RuleEngine engine(*rs, clock);
  auto e = faultline::json::parse(
      R"({"request": {"url": "/api/payments"}, "tags": {"http.status_code": "502"},
          "extra": {"card": "4111111111111111", "uid": "u-1"}})");
  REQUIRE(e.ok());
  Explain ex;
  REQUIRE_FALSE(engine.apply(*e, &ex).keep());
  REQUIRE(ex.rules.size() == 5);
  REQUIRE(ex.rules[0].outcome == "set tags area, secret-ish");
  REQUIRE(ex.rules[1].outcome == "set user.id from extra.uid");
  REQUIRE(ex.rules[2].outcome == "set fingerprint [{{ route }}, {{ error.type }}]");
  REQUIRE(ex.rules[3].outcome == "passed (1 of max 5 per 30s)");
  REQUIRE(ex.rules[4].outcome == "dropped: server errors are someone else's");
  REQUIRE(ex.verdict == "dropped by rules.list[4]: server errors are someone else's");
  const std::string text = ex.to_text();
  REQUIRE(text.find("4111111111111111") == std::string::npos);
  REQUIRE(text.find("u-1") == std::string::npos);
}
