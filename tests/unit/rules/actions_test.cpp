// drop, drop-body, tag, user, fingerprint, sample, throttle, and how the engine runs them.
#include <catch2/catch.hpp>

#include <chrono>

#include "parsers/json.h"
#include "rules/engine.h"

using faultline::FakeClock;
using faultline::json::Value;
using namespace faultline::rules;
using namespace std::chrono_literals;

namespace {

RuleSet compile(const std::string& list_yaml) {
  const std::string rules_text = "rules:\n  presets: []\n  list:\n" + list_yaml;
  auto rs = RuleSet::compile_text(rules_text, "faultline.yaml");
  INFO(rs.message());
  REQUIRE(rs.ok());
  return *rs;
}

Value parse(std::string_view text) {
  auto v = faultline::json::parse(text);
  REQUIRE(v.ok());
  return *v;
}

std::string at(const Value& v, std::string_view dotted) {
  const Value* x = v.find_path(dotted);
  if (!x) return "<missing>";
  return x->is_string() ? x->as_string() : faultline::json::to_string(*x);
}

const char* kEvent = R"json({
  "event_id": "0123456789abcdef0123456789abcdef", "level": "error", "release": "shop@1.2.3",
  "exception": {"values": [{"type": "PaymentTimeoutError", "value": "timeout",
    "stacktrace": {"frames": [{"function": "charge", "filename": "/srv/app/pay.js", "in_app": true}]}}]},
  "request": {"method": "POST", "url": "/api/payments", "data": {"card": "4111111111111111"}},
  "tags": {"route": "/api/payments", "http.status_code": "504", "error.code": "PAYMENT_TIMEOUT"},
  "extra": {"userId": 204, "tenant": "acme", "body": {"card": "x"}, "req": {"body": "raw"},
            "note": "line one\nline two"}
})json";

std::string event_with_id(int i) {
  char id[33];
  std::snprintf(id, sizeof id, "%032x", i * 2654435761u);
  return std::string(R"({"event_id":")") + id + R"(","message":"boom"})";
}

}  // namespace

TEST_CASE("actions: drop ends the run with the rule and its reason", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile(
      "    - name: slow payments\n      when: {error-code: PAYMENT_*}\n      drop: known incident\n"
      "    - tag: {never: reached}\n");
  RuleEngine engine(rs, clock);
  Value e = parse(kEvent);
  Explain ex;
  Verdict v = engine.apply(e, &ex);
  REQUIRE_FALSE(v.keep());
  REQUIRE(v.outcome == Verdict::Outcome::kDrop);
  REQUIRE(v.rule == "\"slow payments\" (rules.list[0])");
  REQUIRE(v.reason == "known incident");
  REQUIRE(ex.rules.size() == 1);  // later rules do not run
  REQUIRE(ex.verdict == "dropped by \"slow payments\" (rules.list[0]): known incident");
  REQUIRE(at(e, "tags.never") == "<missing>");
  REQUIRE(engine.stats()[0].dropped == 1);
  REQUIRE(engine.stats()[1].matched == 0);
}

TEST_CASE("actions: a rule whose when does not hold does nothing", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile("    - when: {status: 4xx}\n      drop: client error\n");
  RuleEngine engine(rs, clock);
  Value e = parse(kEvent);
  Explain ex;
  REQUIRE(engine.apply(e, &ex).keep());
  REQUIRE_FALSE(ex.rules[0].matched);
  REQUIRE(ex.verdict == "kept");
  REQUIRE(engine.stats()[0].matched == 0);
}

TEST_CASE("actions: drop-body removes every copy of the body", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile("    - when: {url: '/api/pay*'}\n      drop-body: true\n");
  RuleEngine engine(rs, clock);
  Value e = parse(kEvent);
  Explain ex;
  REQUIRE(engine.apply(e, &ex).keep());
  REQUIRE(at(e, "request.data") == "<missing>");
  REQUIRE(at(e, "extra.body") == "<missing>");
  REQUIRE(at(e, "extra.req") == "{}");
  REQUIRE(at(e, "request.url") == "/api/payments");
  REQUIRE(ex.rules[0].outcome == "removed request.data, extra.body, extra.req.body");
}

TEST_CASE("actions: tag sets static and templated values, cleaned for Sentry", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile(
      "    - tag: {area: payments, tenant: '{{ extra.tenant }}', code: '{{ error.code }}',\n"
      "            note: '{{ extra.note }}', empty: '{{ extra.missing }}'}\n");
  RuleEngine engine(rs, clock);
  Value e = parse(kEvent);
  Explain ex;
  REQUIRE(engine.apply(e, &ex).keep());
  REQUIRE(at(e, "tags.area") == "payments");
  REQUIRE(at(e, "tags.tenant") == "acme");
  REQUIRE(at(e, "tags.code") == "PAYMENT_TIMEOUT");
  REQUIRE(at(e, "tags.note") == "line one line two");
  REQUIRE(at(e, "tags.empty") == "<missing>");
  REQUIRE(ex.rules[0].outcome == "set tags area, tenant, code, note");  // names, not values
  Value bare = parse(R"({"message": "x"})");
  REQUIRE(engine.apply(bare, nullptr).keep());
  REQUIRE(at(bare, "tags.area") == "payments");
}

TEST_CASE("actions: tag values are cut to 200 bytes", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile("    - tag: {long: '{{ extra.s }}'}\n");
  RuleEngine engine(rs, clock);
  Value e = parse(R"({"extra": {"s": ")" + std::string(300, 'x') + R"("}})");
  REQUIRE(engine.apply(e, nullptr).keep());
  REQUIRE(at(e, "tags.long").size() == 200);
}

TEST_CASE("actions: user takes the first id present, as a string", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile("    - user: {id: [extra.user.id, userId]}\n");
  RuleEngine engine(rs, clock);
  Value e = parse(kEvent);
  Explain ex;
  REQUIRE(engine.apply(e, &ex).keep());
  REQUIRE(at(e, "user") == R"({"id":"204"})");
  REQUIRE(ex.rules[0].outcome == "set user.id from userId");
  Value none = parse(R"({"message": "x"})");
  REQUIRE(engine.apply(none, &ex).keep());
  REQUIRE(at(none, "user") == "<missing>");
  REQUIRE(ex.rules[0].outcome == "no id found");
}

TEST_CASE("actions: fingerprint renders templates", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile(
      "    - fingerprint: ['{{ route }}', '{{ error.type }}', '{{ release }}', '{{ default }}']\n");
  RuleEngine engine(rs, clock);
  Value e = parse(kEvent);
  REQUIRE(engine.apply(e, nullptr).keep());
  REQUIRE(at(e, "fingerprint") ==
          R"(["/api/payments","PaymentTimeoutError","shop@1.2.3","{{ default }}"])");
}

TEST_CASE("actions: sample is deterministic by event id and close to its rate", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile("    - sample: 0.25\n");
  RuleEngine a(rs, clock), b(rs, clock);
  int kept = 0;
  for (int i = 0; i < 4000; ++i) {
    Value e1 = parse(event_with_id(i)), e2 = parse(event_with_id(i));
    bool k1 = a.apply(e1, nullptr).keep();
    REQUIRE(k1 == b.apply(e2, nullptr).keep());  // a replay agrees
    kept += k1;
  }
  REQUIRE(kept > 900);
  REQUIRE(kept < 1100);
  Value e = parse(event_with_id(7));
  Explain ex;
  Verdict v = a.apply(e, &ex);
  REQUIRE(ex.rules[0].outcome.find("rate 0.25, draw ") != std::string::npos);
  if (!v.keep()) REQUIRE(v.outcome == Verdict::Outcome::kSampledOut);
}

TEST_CASE("actions: sample 0 drops all and 1 keeps all", "[actions]") {
  FakeClock clock;
  RuleSet none = compile("    - sample: 0\n");
  RuleSet all = compile("    - sample: 1\n");
  RuleEngine en(none, clock), ea(all, clock);
  for (int i = 0; i < 50; ++i) {
    Value e1 = parse(event_with_id(i)), e2 = parse(event_with_id(i));
    REQUIRE_FALSE(en.apply(e1, nullptr).keep());
    REQUIRE(ea.apply(e2, nullptr).keep());
  }
}

TEST_CASE("actions: throttle passes max per window and summarises the rest", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile("    - throttle: {max: 2, window: 1m}\n");
  RuleEngine engine(rs, clock);
  auto send = [&](const char* json) {
    Value e = parse(json);
    Verdict v = engine.apply(e, nullptr);
    return std::make_pair(v, e);
  };
  const char* a = R"({"exception": {"values": [{"type": "A", "value": "x"}]}})";
  const char* b = R"({"exception": {"values": [{"type": "B", "value": "x"}]}})";
  REQUIRE(send(a).first.keep());
  REQUIRE(send(a).first.keep());
  auto third = send(a);
  REQUIRE(third.first.outcome == Verdict::Outcome::kThrottled);
  REQUIRE(third.first.reason == "throttled (max 2 per 1m)");
  REQUIRE_FALSE(send(a).first.keep());
  REQUIRE(send(b).first.keep());  // another key has its own window
  clock.advance(59s);
  REQUIRE_FALSE(send(a).first.keep());
  clock.advance(1s);  // the window has ended
  auto next = send(a);
  REQUIRE(next.first.keep());
  REQUIRE(at(next.second, "extra.faultline_suppressed") == "3");
  auto after = send(a);
  REQUIRE(after.first.keep());
  REQUIRE(at(after.second, "extra.faultline_suppressed") == "<missing>");
  REQUIRE(engine.stats()[0].dropped == 3);
}

TEST_CASE("actions: throttle keys on the fingerprint or on `by`", "[actions]") {
  FakeClock clock;
  RuleSet rs = compile(
      "    - fingerprint: ['{{ route }}']\n"
      "    - throttle: {max: 1, window: 10s}\n"
      "    - throttle: {max: 1, window: 10s, by: ['{{ extra.tenant }}']}\n");
  RuleEngine engine(rs, clock);
  auto keep = [&](const char* json) {
    Value e = parse(json);
    return engine.apply(e, nullptr).keep();
  };
  REQUIRE(keep(R"({"tags": {"route": "/a"}, "extra": {"tenant": "t1"}})"));
  REQUIRE_FALSE(keep(R"({"tags": {"route": "/a"}, "extra": {"tenant": "t2"}})"));  // same route
  REQUIRE_FALSE(keep(R"({"tags": {"route": "/b"}, "extra": {"tenant": "t1"}})"));  // same tenant
  REQUIRE(keep(R"({"tags": {"route": "/c"}, "extra": {"tenant": "t3"}})"));
}

TEST_CASE("actions: throttle forgets old keys when it tracks too many", "[actions]") {
  ThrottleAction t;
  t.max = 1;
  t.window = 1min;
  t.max_keys = 10;
  ThrottleState state;
  FakeClock clock;
  for (int i = 0; i < 100; ++i) {
    REQUIRE(state.check(t, "k" + std::to_string(i), clock.now()).pass);
    clock.advance(1ms);
    REQUIRE(state.tracked() <= 10);
  }
  // The newest keys are still tracked.
  REQUIRE_FALSE(state.check(t, "k99", clock.now()).pass);
}

TEST_CASE("actions: without a fingerprint the throttle key is type + top in-app frame",
          "[actions]") {
  Value a = parse(kEvent);
  Value b = parse(kEvent);
  b.find("exception")->find("values")->as_array()[0].as_object().set("value", "other text");
  ThrottleAction t;
  REQUIRE(t.key(a) == t.key(b));
  REQUIRE(t.key(a) ==
          "PaymentTimeoutError\x1f"
          "charge@/srv/app/pay.js");
}
