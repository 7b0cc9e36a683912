// The scrub action: every path form, key patterns, detectors in every place of the event, each
// method, and what scrubbing must never touch.
#include <catch2/catch.hpp>

#include "parsers/json.h"
#include "rules/engine.h"
#include "rules/redaction.h"
#include "rules/scrub.h"

using faultline::FakeClock;
using faultline::json::Value;
using namespace faultline::rules;

namespace {

RuleSet compile(const std::string& list_yaml, const std::string& extra = "") {
  const std::string rules_text = "rules:\n  presets: []\n" + extra + "  list:\n" + list_yaml;
  CompileOptions opts;
  opts.getenv = [](std::string_view name) -> std::optional<std::string> {
    if (name == "FAULTLINE_HASH_KEY") return std::string("unit-test-key");
    return std::nullopt;
  };
  auto rs = RuleSet::compile_text(rules_text, "faultline.yaml", opts);
  INFO(rs.message());
  REQUIRE(rs.ok());
  return *rs;
}

Value parse(std::string_view text) {
  auto v = faultline::json::parse(text);
  INFO(v.message());
  REQUIRE(v.ok());
  return *v;
}

// Applies `list_yaml` to `event_json` and returns the event.
Value run(const std::string& list_yaml, std::string_view event_json, Explain* explain = nullptr) {
  FakeClock clock;
  RuleSet rs = compile(list_yaml);
  RuleEngine engine(rs, clock);
  Value event = parse(event_json);
  REQUIRE(engine.apply(event, explain).keep());
  return event;
}

std::string at(const Value& v, std::string_view dotted) {
  const Value* x = v.find_path(dotted);
  if (!x) return "<missing>";
  return x->is_string() ? x->as_string() : faultline::json::to_string(*x);
}

const char* kEvent = R"json({
  "event_id": "0123456789abcdef0123456789abcdef", "timestamp": 1795502011.298, "platform": "node",
  "level": "error", "release": "shop@1.2.3", "environment": "production",
  "message": "login failed for alice@example.com",
  "exception": {"values": [{"type": "TokenError", "value": "bad token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3NzIifQ.abcDEF123",
    "stacktrace": {"frames": [{"function": "login", "filename": "/srv/app/alice@example.com/auth.js", "lineno": 12, "colno": 5, "in_app": true}]}}]},
  "request": {"method": "POST", "url": "/api/search?q=x&access_token=66f4a1a2a3cb3f65",
    "headers": {"authorization": "Bearer abcdefghijklmnop", "cookie": "session=31ff4607; theme=dark",
                "x-api-key": "ak_demo_d0bfe9e8640678a2", "user-agent": "curl/8.5.0 (1.2.3.4)"},
    "data": {"email": "bob@example.org", "password": "hunter2"}},
  "user": {"id": "633", "email": "carol@example.net"},
  "tags": {"level": "error", "http.status_code": "503", "route": "/api/search", "customer": "dave@example.com"},
  "contexts": {"trace": {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"},
               "DatabaseError": {"code": "E1", "sql": "select * from users where email = 'erin@example.com'"}},
  "breadcrumbs": {"values": [{"timestamp": 1795502011.1, "category": "log", "level": "info",
                              "message": "user erin@example.com logged in", "data": {"token": "t0k3n-value"}}]},
  "extra": {"payment": {"cardNumber": "4111111111111111", "cvv": "123", "amount": 12.5},
            "items": [{"sku": "A", "card": "x1"}, {"sku": "B", "card": "x2"}],
            "dotted.key": {"secret": "s1"}, "пароль": "p1", "note": "order 4111111111111112 shipped",
            "ids": ["5241e069-2ac4-440d-bc48-fee3fd3a2bc3"]}
})json";

}  // namespace

TEST_CASE("scrub: dotted event path", "[scrub]") {
  Value e = run("    - scrub: {paths: [extra.payment.cvv]}\n", kEvent);
  REQUIRE(at(e, "extra.payment.cvv") == "[Filtered]");
  REQUIRE(at(e, "extra.payment.cardNumber") == "4111111111111111");  // only what was named
}

TEST_CASE("scrub: record path reaches request headers and extra", "[scrub]") {
  Value e =
      run("    - scrub: {paths: ['req.headers[\"x-api-key\"]', payment.cardNumber]}\n", kEvent);
  REQUIRE(at(e, "request.headers.x-api-key") == "[Filtered]");
  REQUIRE(at(e, "extra.payment.cardNumber") == "[Filtered]");
}

TEST_CASE("scrub: wildcard over array elements and object keys", "[scrub]") {
  Value e = run("    - scrub: {paths: ['extra.items[*].card', 'extra.*.cvv']}\n", kEvent);
  REQUIRE(at(e, "extra.items") ==
          R"([{"sku":"A","card":"[Filtered]"},{"sku":"B","card":"[Filtered]"}])");
  REQUIRE(at(e, "extra.payment.cvv") == "[Filtered]");
}

TEST_CASE("scrub: array index, key with dots and unicode key", "[scrub]") {
  Value e =
      run("    - scrub: {paths: ['extra.items[1].card', 'extra[\"dotted.key\"].secret', "
          "'extra.пароль']}\n",
          kEvent);
  REQUIRE(at(e, "extra.items") == R"([{"sku":"A","card":"x1"},{"sku":"B","card":"[Filtered]"}])");
  REQUIRE(faultline::json::to_string(*e.find("extra")->find("dotted.key")) ==
          R"({"secret":"[Filtered]"})");
  REQUIRE(e.find("extra")->find("пароль")->as_string() == "[Filtered]");
}

TEST_CASE("scrub: a path naming a whole object masks all of it", "[scrub]") {
  Value e = run("    - scrub: {paths: [extra.payment]}\n", kEvent);
  REQUIRE(at(e, "extra.payment") == "[Filtered]");
}

TEST_CASE("scrub: key patterns match anywhere, case-insensitively, unanchored", "[scrub]") {
  Value e =
      run("    - scrub: {keys: [CARD, '^cvv$', 'api[-_]?key', authorization, cookie]}\n", kEvent);
  REQUIRE(at(e, "extra.payment.cardNumber") == "[Filtered]");
  REQUIRE(at(e, "extra.payment.cvv") == "[Filtered]");
  REQUIRE(at(e, "extra.items") ==
          R"([{"sku":"A","card":"[Filtered]"},{"sku":"B","card":"[Filtered]"}])");
  REQUIRE(at(e, "request.headers.x-api-key") == "[Filtered]");
  REQUIRE(at(e, "request.headers.authorization") == "[Filtered]");
  REQUIRE(at(e, "request.headers.cookie") == "[Filtered]");  // the whole Cookie header
  REQUIRE(at(e, "extra.payment.amount") == "12.5");
}

TEST_CASE("scrub: key patterns apply to name=value pairs inside text", "[scrub]") {
  Value e = run(
      "    - scrub: {keys: [token, password, session]}\n",
      R"({"request": {"url": "/a?q=x&access_token=66f4a1&b=2", "headers": {"c": "session=31ff; theme=dark"}},
          "extra": {"body": "{\"email\": \"broken@example.com\", \"password\": \"hunter2\",",
                    "msg": "retry with password: hunter3 failed", "auth": "Authorization: Bearer abc.def"}})");
  REQUIRE(at(e, "request.url") == "/a?q=x&access_token=[Filtered]&b=2");
  REQUIRE(at(e, "request.headers.c") == "session=[Filtered]; theme=dark");
  REQUIRE(at(e, "extra.body") == R"({"email": "broken@example.com", "password": "[Filtered]",)");
  REQUIRE(at(e, "extra.msg") == "retry with password: [Filtered] failed");
}

TEST_CASE("scrub: a string holding JSON is scrubbed as JSON", "[scrub]") {
  Explain ex;
  Value e =
      run("    - scrub: {keys: [password], detectors: ['@email']}\n",
          R"({"extra": {"raw": "{\"user\":{\"password\":\"hunter2\",\"mail\":\"a@b.co\"},\"n\":1}",
                              "same": "{\"n\": 1}"}})",
          &ex);
  REQUIRE(at(e, "extra.raw") == R"({"user":{"password":"[Filtered]","mail":"[Filtered]"},"n":1})");
  REQUIRE(at(e, "extra.same") == R"({"n": 1})");  // untouched text keeps its formatting
  REQUIRE(ex.rules[0].fields[0].path == "extra.raw<json>.user.password");
}

TEST_CASE("scrub: [name, value] pairs are judged by the name", "[scrub]") {
  Value e = run("    - scrub: {keys: [authorization]}\n",
                R"({"request": {"headers": [["Authorization", "Bearer abc"], ["Accept", "x"]]}})");
  REQUIRE(at(e, "request.headers") == R"([["Authorization","[Filtered]"],["Accept","x"]])");
}

TEST_CASE("scrub: detectors cover every place a value can appear", "[scrub]") {
  Value e = run("    - scrub: {detectors: ['@all']}\n", kEvent);
  REQUIRE(at(e, "message") == "login failed for [Filtered]");
  REQUIRE(e.find("exception")->find("values")->as_array()[0].find("value")->as_string() ==
          "bad token [Filtered]");
  REQUIRE(at(e, "request.url") == "/api/search?q=x&access_token=[Filtered]");
  REQUIRE(at(e, "request.headers.authorization") == "Bearer [Filtered]");
  REQUIRE(at(e, "request.data.email") == "[Filtered]");
  REQUIRE(at(e, "user.email") == "[Filtered]");
  REQUIRE(at(e, "tags.customer") == "[Filtered]");
  REQUIRE(at(e, "contexts.DatabaseError.sql") == "select * from users where email = '[Filtered]'");
  auto& crumb = e.find("breadcrumbs")->find("values")->as_array()[0];
  REQUIRE(crumb.find("message")->as_string() == "user [Filtered] logged in");
  REQUIRE(at(e, "extra.payment.cardNumber") == "[Filtered]");
}

TEST_CASE("scrub: false-positive-prone values survive the detectors", "[scrub][regression]") {
  Value e = run("    - scrub: {detectors: ['@all']}\n", kEvent);
  REQUIRE(at(e, "extra.note") == "order 4111111111111112 shipped");
  REQUIRE(at(e, "extra.ids") == R"(["5241e069-2ac4-440d-bc48-fee3fd3a2bc3"])");
  REQUIRE(at(e, "user.id") == "633");
}

TEST_CASE("scrub: structural fields are never touched", "[scrub]") {
  const std::string before = faultline::json::to_string(parse(kEvent));
  Value e = run("    - scrub: {keys: ['.'], detectors: ['@all', '.+']}\n", kEvent);
  REQUIRE(at(e, "event_id") == "0123456789abcdef0123456789abcdef");
  REQUIRE(at(e, "level") == "error");
  REQUIRE(at(e, "release") == "shop@1.2.3");
  REQUIRE(at(e, "environment") == "production");
  REQUIRE(at(e, "platform") == "node");
  const Value& exc = e.find("exception")->find("values")->as_array()[0];
  REQUIRE(exc.find("type")->as_string() == "TokenError");
  const Value& frame = exc.find("stacktrace")->find("frames")->as_array()[0];
  REQUIRE(frame.find("filename")->as_string() == "/srv/app/alice@example.com/auth.js");
  REQUIRE(frame.find("function")->as_string() == "login");
  REQUIRE(frame.find("lineno")->as_int() == 12);
  REQUIRE(at(e, "contexts.trace.trace_id") == "4bf92f3577b34da6a3ce929d0e0e4736");
  REQUIRE(at(e, "request.method") == "POST");
  REQUIRE(at(e, "tags.level") == "error");
  REQUIRE(e.find("tags")->find("http.status_code")->as_string() == "503");
  // Open fields did change: data keys by the detector (a key is text too) and their values by
  // the key pattern, the rest by the detector.
  REQUIRE(e.find("extra")->find("payment") == nullptr);
  REQUIRE(e.find("extra")->find("[Filtered]")->as_string() == "[Filtered]");
  REQUIRE(at(e, "request.url") == "[Filtered]");
  REQUIRE(e.find_path("request.headers")->find("authorization") == nullptr);
  REQUIRE(faultline::json::to_string(e) != before);
}

TEST_CASE("scrub: key patterns match data keys, not Sentry's own field names", "[scrub]") {
  Value e = run("    - scrub: {keys: ['^(value|data|message|url|exception|request)$']}\n", kEvent);
  REQUIRE(e.find("exception")
              ->find("values")
              ->as_array()[0]
              .find("value")
              ->as_string()
              .rfind("bad token", 0) == 0);
  REQUIRE(at(e, "message") == "login failed for alice@example.com");
  REQUIRE(at(e, "request.url") == "/api/search?q=x&access_token=66f4a1a2a3cb3f65");
  REQUIRE(at(e, "request.data.email") == "bob@example.org");
  // ...but the same names inside data are keys like any other.
  e = run("    - scrub: {keys: ['^data$']}\n", R"({"extra": {"job": {"data": {"to": "a@b.co"}}}})");
  REQUIRE(at(e, "extra.job.data") == "[Filtered]");
}

TEST_CASE("scrub: the user agent is scrubbed only by an explicit path", "[scrub]") {
  Value e = run("    - scrub: {detectors: ['@ip']}\n", kEvent);
  REQUIRE(at(e, "request.headers.user-agent") == "curl/8.5.0 (1.2.3.4)");
  e = run("    - scrub: {paths: ['request.headers[\"user-agent\"]']}\n", kEvent);
  REQUIRE(at(e, "request.headers.user-agent") == "[Filtered]");
}

TEST_CASE("scrub: source lines around a frame are scrubbed like any open field", "[scrub]") {
  // faultline reads them from the app's files (docs/sources.md): a hard-coded key is a secret.
  const std::string event = R"J({"exception": {"values": [{"stacktrace": {"frames": [{
      "function": "charge", "in_app": true,
      "pre_context": ["const client = stripe('sk_live_4eC39HqLyjWDarjtT1zdp7dc');"],
      "context_line": "login({password: 'hunter2x'})",
      "post_context": ["send('ops@example.com')"]}]}}]}})J";
  Value e = run("    - scrub: {keys: [password], detectors: ['@stripe-key', '@email']}\n", event);
  const Value& frame =
      e.find_path("exception.values")->as_array()[0].find_path("stacktrace.frames")->as_array()[0];
  CHECK(frame.find("pre_context")->as_array()[0].as_string() ==
        "const client = stripe('[Filtered]');");
  CHECK(frame.find("context_line")->as_string() == "login({password: '[Filtered]'})");
  CHECK(frame.find("post_context")->as_array()[0].as_string() == "send('[Filtered]')");
}

TEST_CASE("scrub: values censored by pino stay as they are", "[scrub]") {
  Explain ex;
  Value e = run("    - scrub: {keys: [password, authorization]}\n",
                R"({"extra": {"password": "[Redacted]", "headers": {"authorization": "[Redacted]"},
                              "empty": {"password": ""}, "flag": {"password": true}}})",
                &ex);
  REQUIRE(at(e, "extra.password") == "[Redacted]");
  REQUIRE(at(e, "extra.headers.authorization") == "[Redacted]");
  REQUIRE(at(e, "extra.empty.password") == "");
  REQUIRE(at(e, "extra.flag.password") == "true");
  REQUIRE(ex.rules[0].fields.empty());
}

TEST_CASE("scrub: method remove deletes keys, array elements and matched text", "[scrub]") {
  Value e =
      run("    - scrub: {paths: ['extra.items[0]', extra.payment.cvv], detectors: ['@email'], "
          "method: remove}\n",
          kEvent);
  REQUIRE(e.find("extra")->find("payment")->find("cvv") == nullptr);
  REQUIRE(at(e, "extra.items") == R"([{"sku":"B","card":"x2"}])");
  REQUIRE(at(e, "message") == "login failed for ");
}

TEST_CASE("scrub: method replace", "[scrub]") {
  Value e = run("    - scrub: {keys: [cvv], detectors: ['@email'], method: {replace: '<gone>'}}\n",
                kEvent);
  REQUIRE(at(e, "extra.payment.cvv") == "<gone>");
  REQUIRE(at(e, "message") == "login failed for <gone>");
}

TEST_CASE("scrub: method keep-last", "[scrub]") {
  Value e = run("    - scrub: {keys: [cardNumber, cvv], method: {keep-last: 4}}\n", kEvent);
  REQUIRE(at(e, "extra.payment.cardNumber") == "************1111");
  REQUIRE(at(e, "extra.payment.cvv") == "***");  // no more than N characters: nothing kept
  e = run("    - scrub: {paths: [extra.пароль], method: {keep-last: 1}}\n",
          R"({"extra": {"пароль": "пароль"}})");
  REQUIRE(e.find("extra")->find("пароль")->as_string() == "*****ь");
}

TEST_CASE("scrub: method hash is stable per value and key", "[scrub]") {
  const char* ev = R"({"extra": {"a": {"email": "x@example.com"}, "b": {"email": "x@example.com"},
                                 "c": {"email": "y@example.com"}}})";
  Value e = run("    - scrub: {keys: ['^email$'], method: hash}\n", ev);
  const std::string a = at(e, "extra.a.email");
  REQUIRE(a.size() == std::string("[hmac:0123456789abcdef]").size());
  REQUIRE(a.rfind("[hmac:", 0) == 0);
  REQUIRE(a == at(e, "extra.b.email"));
  REQUIRE(a != at(e, "extra.c.email"));
  REQUIRE(a == "[hmac:" + hmac_sha256_hex("unit-test-key", "x@example.com").substr(0, 16) + "]");
}

TEST_CASE("scrub: a card number logged as a JSON number is found", "[scrub]") {
  Value e = run("    - scrub: {detectors: ['@creditcard']}\n",
                R"({"extra": {"cc": 4111111111111111, "count": 4111111111111112, "n": 42}})");
  REQUIRE(at(e, "extra.cc") == "[Filtered]");
  REQUIRE(at(e, "extra.count") == "4111111111111112");
  REQUIRE(at(e, "extra.n") == "42");
}

TEST_CASE("scrub: explain lists paths and reasons, never the values", "[scrub]") {
  Explain ex;
  run("    - scrub: {paths: [req.headers.x-api-key], keys: [cvv], detectors: ['@email']}\n", kEvent,
      &ex);
  REQUIRE(ex.rules.size() == 1);
  const RuleTrace& t = ex.rules[0];
  REQUIRE(t.outcome.rfind("scrubbed ", 0) == 0);
  std::map<std::string, std::string> by_path;
  for (const auto& f : t.fields) by_path[f.path] = f.reason;
  REQUIRE(by_path["request.headers.x-api-key"] == "path \"req.headers.x-api-key\" (mask)");
  REQUIRE(by_path["extra.payment.cvv"] == "key pattern \"cvv\" (mask)");
  REQUIRE(by_path["message"] == "@email (mask)");
  const std::string text = ex.to_text();
  for (const char* secret :
       {"ak_demo_d0bfe9e8640678a2", "alice@example.com", "\"123\"", "carol@example.net"}) {
    INFO(secret);
    REQUIRE(text.find(secret) == std::string::npos);
  }
}

TEST_CASE("scrub: a later scrub leaves what an earlier one rewrote", "[scrub]") {
  Value e =
      run("    - scrub: {keys: [cardNumber], method: {keep-last: 4}}\n"
          "    - scrub: {keys: [card], detectors: ['@creditcard']}\n",
          kEvent);
  REQUIRE(at(e, "extra.payment.cardNumber") == "************1111");
  REQUIRE(at(e, "extra.items") ==
          R"([{"sku":"A","card":"[Filtered]"},{"sku":"B","card":"[Filtered]"}])");
}

TEST_CASE("scrub: a flat rawHeaders list is judged name by name", "[scrub][regression]") {
  Explain ex;
  Value e = run("    - scrub: {keys: ['api[-_]?key', authorization]}\n",
                R"({"extra": {"rawHeaders": ["Host", "api.example.com", "X-Api-Key", "k-123",
                                             "Authorization", "Token t-456", "Accept", "*/*"],
                              "short": ["X-Api-Key", "k-789"]}})",
                &ex);
  REQUIRE(
      at(e, "extra.rawHeaders") ==
      R"(["Host","api.example.com","X-Api-Key","[Filtered]","Authorization","[Filtered]","Accept","*/*"])");
  REQUIRE(at(e, "extra.short") == R"(["X-Api-Key","[Filtered]"])");
  REQUIRE(ex.rules[0].fields[0].path == "extra.rawHeaders[3]");
  // A list of words that is not name, value, name, value... is left alone.
  e = run("    - scrub: {keys: [token]}\n", R"({"extra": {"words": ["a token", "expired", "x"]}})");
  REQUIRE(at(e, "extra.words") == R"(["a token","expired","x"])");
}

TEST_CASE("scrub: {name, value} objects and command lines are judged by the name",
          "[scrub][regression]") {
  Value e = run("    - scrub: {keys: [password, token, 'api[-_]?key']}\n",
                R"({"extra": {"env": [{"name": "DB_PASSWORD", "value": "pw-1"},
                                      {"name": "PORT", "value": "5432"}],
                              "har": [{"name": "X-Api-Key", "value": "k-2", "comment": ""}],
                              "argv": ["node", "app.js", "--token", "t-3", "--password=pw-4",
                                       "--port", "3000", "-pwd", "--verbose"],
                              "cmd": "node app.js --password=pw-5"}})");
  REQUIRE(at(e, "extra.env") ==
          R"([{"name":"DB_PASSWORD","value":"[Filtered]"},{"name":"PORT","value":"5432"}])");
  REQUIRE(at(e, "extra.har") == R"([{"name":"X-Api-Key","value":"[Filtered]","comment":""}])");
  REQUIRE(
      at(e, "extra.argv") ==
      R"(["node","app.js","--token","[Filtered]","--password=[Filtered]","--port","3000","-pwd","--verbose"])");
  REQUIRE(at(e, "extra.cmd") == "node app.js --password=[Filtered]");
}

TEST_CASE("scrub: JSON encoded twice, and JSON inside it, is scrubbed", "[scrub][regression]") {
  Value e = run("    - scrub: {keys: [password], detectors: ['@email']}\n",
                R"({"extra": {"twice": "\"{\\\"password\\\":\\\"pw-1\\\",\\\"n\\\":1}\"",
                              "nested": "{\"body\":\"{\\\"password\\\":\\\"pw-2\\\"}\"}",
                              "cut": "body: {\\\"user\\\":\\\"a\\\",\\\"password\\\":\\\"pw-3\\\",\\\"x"}})");
  REQUIRE(at(e, "extra.twice") == R"("{\"password\":\"[Filtered]\",\"n\":1}")");
  REQUIRE(at(e, "extra.nested") == R"({"body":"{\"password\":\"[Filtered]\"}"})");
  // Cut off, so not JSON: the escaped pair in the text is still found.
  REQUIRE(at(e, "extra.cut") == R"(body: {\"user\":\"a\",\"password\":\"[Filtered]\",\"x)");
}

TEST_CASE("scrub: strings that hold JSON are parsed within bounds", "[scrub]") {
  // Parsed and scrubbed JSON is written back compact; text scrubbed as text keeps its spaces.
  auto nested = [](int depth) {
    return std::string(static_cast<size_t>(depth), '[') + R"({\"password\": \"pw-1\"})" +
           std::string(static_cast<size_t>(depth), ']');
  };
  Value e = run("    - scrub: {keys: [password]}\n", "{\"extra\": {\"shallow\": \"" + nested(10) +
                                                         "\", \"deep\": \"" + nested(100) + "\"}}");
  REQUIRE(at(e, "extra.shallow") ==
          std::string(10, '[') + R"({"password":"[Filtered]"})" + std::string(10, ']'));
  // Nested deeper than the bound: not parsed; the pair in the text is still found.
  REQUIRE(at(e, "extra.deep") ==
          std::string(100, '[') + R"({"password": "[Filtered]"})" + std::string(100, ']'));
}

TEST_CASE("scrub: an email or a token used as a key is replaced, keys stay unique",
          "[scrub][regression]") {
  Explain ex;
  Value e =
      run("    - scrub: {detectors: ['@email', '@github-token']}\n",
          R"({"extra": {"byEmail": {"alice@example.com": 3, "bob@example.org": 4, "[email]": 1},
                              "seen": {"ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5": true},
                              "user:carol@example.net": "x"}})",
          &ex);
  REQUIRE(at(e, "extra.byEmail") == R"({"[email]#2":3,"[email]#3":4,"[email]":1})");
  REQUIRE(at(e, "extra.seen") == R"({"[github-token]":true})");
  REQUIRE(e.find("extra")->find("user:[email]") != nullptr);
  const std::string text = ex.to_text();
  REQUIRE(text.find("alice") == std::string::npos);
  REQUIRE(text.find("ghp_") == std::string::npos);
  REQUIRE(text.find("extra.byEmail[\"[email]#2\"]") != std::string::npos);
  // Other methods rewrite the key like text; remove takes the member out.
  e = run("    - scrub: {detectors: ['@email'], method: hash}\n",
          R"({"extra": {"byEmail": {"alice@example.com": 3}}})");
  REQUIRE(at(e, "extra.byEmail").rfind(R"({"[hmac:)", 0) == 0);
  e = run("    - scrub: {detectors: ['@email'], method: remove}\n",
          R"({"extra": {"byEmail": {"alice@example.com": 3, "n": 1}}})");
  REQUIRE(at(e, "extra.byEmail") == R"({"n":1})");
}

TEST_CASE("scrub: what a scrub remembers of keys from event to event changes nothing", "[scrub]") {
  ScrubBuilder builder;
  REQUIRE(builder.add_key_pattern("password").ok());
  REQUIRE(builder.add_key_pattern("^pw$").ok());
  REQUIRE(builder.add_detector("@email").ok());
  auto action = builder.build();
  REQUIRE(action.ok());
  const std::string events[] = {
      kEvent,
      R"({"extra": {"byEmail": {"alice@example.com": 3, "[email]": 1}, "password": "x",
                    "pw": "y", "pwd": "z", "--password": ["--password", "v"], "n": 1}})"};
  ScrubMemo memo;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& text : events) {
      Value fresh = parse(text);
      Value remembered = parse(text);
      const size_t changed = action->apply(fresh, nullptr);
      CHECK(action->apply(remembered, nullptr, nullptr, &memo) == changed);
      CHECK(faultline::json::to_string(remembered) == faultline::json::to_string(fresh));
    }
  }
  CHECK(memo.size() > 0);
}

TEST_CASE("scrub: Sentry's own field names are never renamed", "[scrub]") {
  Value e = run("    - scrub: {detectors: ['.+']}\n", R"({"message": "m", "extra": {"k": 1}})");
  REQUIRE(e.find("message") != nullptr);
  REQUIRE(e.find("extra") != nullptr);
}
