// Property: with only the default presets, no secret that is in the fixtures appears anywhere in
// what faultline would send, while the context that makes an event useful is kept. The secrets
// are found here, independently of faultline's own detectors.
#include <re2/re2.h>
#include <catch2/catch.hpp>

#include <cctype>
#include <set>
#include <vector>

#include "parsers/json.h"
#include "support/process.h"

using namespace faultline::test;

namespace {

bool luhn(const std::string& digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

void collect(const std::string& text, const RE2& pattern, std::set<std::string>& out) {
  re2::StringPiece input(text);
  std::string match;
  while (RE2::FindAndConsume(&input, pattern, &match)) {
    if (!match.empty()) out.insert(match);
  }
}

// Every secret in `text`, by kind.
std::set<std::string> find_secrets(const std::string& text) {
  std::set<std::string> secrets;
  collect(text, RE2(R"((eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}))"), secrets);
  collect(text, RE2(R"(Bearer ([A-Za-z0-9._~+/=-]{8,}))"), secrets);
  collect(text, RE2(R"(Basic ([A-Za-z0-9+/=]{8,}))"), secrets);
  collect(text, RE2(R"re("x-api-key":"([^"]+)")re"), secrets);
  collect(text, RE2(R"re((?i)"(?:password|passwd|cvv|cardNumber|token|secret)":"([^"]+)")re"),
          secrets);
  collect(text, RE2(R"re((?i)\\"(?:password|cvv|cardNumber)\\": ?\\"([^\\"]+)\\")re"), secrets);
  collect(text, RE2(R"re("cvv":(\d{3,4}))re"), secrets);
  collect(text, RE2(R"((?i)access_token=([^&"\s\\]+))"), secrets);
  collect(text, RE2(R"(([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}))"),
          secrets);
  // Cookie values: every value of a Cookie header.
  std::set<std::string> cookies;
  collect(text, RE2(R"re("cookie":"([^"]+)")re"), cookies);
  for (const std::string& header : cookies) {
    collect(header, RE2(R"((?:^|; )[^=;]+=([^;]{8,}))"), secrets);
  }
  // Card numbers that pass the Luhn check, standing alone (not inside a token).
  std::set<std::string> numbers;
  collect(text, RE2(R"((?:^|[^A-Za-z0-9])((?:\d[ -]?){12,18}\d)(?:[^A-Za-z0-9]|$))"), numbers);
  for (const std::string& n : numbers) {
    std::string digits;
    for (char c : n) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (digits.size() >= 13 && luhn(digits) && digits.find_first_not_of('0') != std::string::npos) {
      secrets.insert(n);
    }
  }
  return secrets;
}

std::string replay_defaults(const std::string& fixture) {
  RunResult r = run_faultline({.args = {"replay", "--print", fixture}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("secrets: no secret from the fixtures leaves the host with the default presets",
          "[secrets][property]") {
  for (const char* name : {"a-default.ndjson", "e-edge-cases.ndjson"}) {
    const std::string fixture = data_dir() + "/pino/" + name;
    const std::string input = read_file(fixture);
    const std::set<std::string> secrets = find_secrets(input);
    INFO(name);
    if (std::string(name) == "a-default.ndjson") {
      // The finder itself must work: the fixture is full of fake secrets.
      REQUIRE(secrets.size() > 100);
    }
    const std::string output = replay_defaults(fixture);
    REQUIRE(!output.empty());
    for (const std::string& secret : secrets) {
      // A CVV ("737") or a password like "x" also occurs as a status code or a letter: short
      // values are checked in their context (the key they belong to) by the loop below.
      if (secret.size() < 6) continue;
      INFO("secret found in the output: " << secret);
      CHECK(output.find(secret) == std::string::npos);
    }
    // Nothing the finder recognises by its key or shape is left (this also covers short values
    // and the escaped forms inside strings that hold JSON).
    const std::set<std::string> left = find_secrets(output);
    for (const std::string& s : left) {
      INFO("output still holds something that looks like a secret: " << s);
      CHECK(secrets.count(s) == 0);
    }
  }
}

TEST_CASE("secrets: the context that makes an event useful is kept", "[secrets]") {
  const std::string output = replay_defaults(data_dir() + "/pino/a-default.ndjson");
  size_t with_frames = 0, with_status = 0, with_transaction = 0;
  std::set<std::string> types;
  for (const std::string& line : split_lines(output)) {
    auto e = faultline::json::parse(line);
    REQUIRE(e.ok());
    const auto& values = e->find_path("exception.values")->as_array();
    types.insert(values.back().find("type")->as_string());
    if (values.back().find_path("stacktrace.frames") != nullptr) ++with_frames;
    if (e->find("tags") && e->find("tags")->find("http.status_code")) ++with_status;
    if (e->find("transaction") != nullptr) ++with_transaction;
  }
  for (const char* type :
       {"PaymentTimeoutError", "KnexTimeoutError", "AggregateError", "TypeError", "RangeError"}) {
    CHECK(types.count(type) == 1);
  }
  CHECK(with_frames > 40);
  CHECK(with_status > 30);
  CHECK(with_transaction > 30);
  CHECK(output.find("/tmp/pinolab/app.js") != std::string::npos);  // frames keep their files
}

TEST_CASE("secrets: values that only look like secrets are kept", "[secrets]") {
  TempDir dir;
  const std::string input = dir.write(
      "orders.ndjson",
      R"({"level":50,"time":1795502011075,"orderNumber":"4111111111111112",)"
      R"("orderId":"5f0c7a1e-4b2d-4c8e-9a1b-2c3d4e5f6a7b","sku":"SKU-12345",)"
      R"("err":{"type":"Error","message":"order 4111111111111112 failed",)"
      R"J("stack":"Error: order failed\n    at place (/app/orders.js:3:9)"},"msg":"checkout failed"})J"
      "\n");
  const std::string output = replay_defaults(input);
  CHECK(output.find("4111111111111112") != std::string::npos);  // fails Luhn: an order number
  CHECK(output.find("5f0c7a1e-4b2d-4c8e-9a1b-2c3d4e5f6a7b") != std::string::npos);
  CHECK(output.find("SKU-12345") != std::string::npos);
}

TEST_CASE("secrets: the check above can fail: without the secrets preset they leak", "[secrets]") {
  TempDir dir;
  const std::string config =
      dir.write("c.yaml", "rules:\n  presets: {secrets: false, express-noise: true}\n");
  const std::string fixture = data_dir() + "/pino/a-default.ndjson";
  RunResult r = run_faultline({.args = {"replay", "-c", config, "--print", fixture}});
  REQUIRE(r.exit_code == 0);
  size_t leaked = 0;
  for (const std::string& secret : find_secrets(read_file(fixture))) {
    if (secret.size() >= 6 && r.out.find(secret) != std::string::npos) ++leaked;
  }
  CHECK(leaked > 50);
}

// tests/data/secrets/fake-secrets.ndjson: one line per way a secret reached Sentry in issue 13.
// Every fake secret in it contains "LEAK" (any case), and nothing else does.
namespace {

const std::string kLeaks = data_dir() + "/secrets/fake-secrets.ndjson";

// Each place `word` (case-insensitive) occurs in `text`, with some context, for the message.
std::vector<std::string> occurrences(const std::string& text, const std::string& word) {
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string> found;
  for (size_t at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
    const size_t from = at < 40 ? 0 : at - 40;
    found.push_back(text.substr(from, at - from + word.size() + 30));
  }
  return found;
}

const faultline::json::Value* event_with_message(const std::vector<faultline::json::Value>& events,
                                                 const std::string& formatted) {
  for (const auto& e : events) {
    const auto* f = e.find_path("logentry.formatted");
    if (f != nullptr && f->is_string() && f->as_string() == formatted) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("secrets: none of issue 13's fake secrets leaves with the default configuration",
          "[secrets][regression]") {
  REQUIRE(occurrences(read_file(kLeaks), "leak").size() > 60);  // the file is full of them
  const std::string output = replay_defaults(kLeaks);
  REQUIRE(split_lines(output).size() == 12);  // one event per line but the crawler's 404
  for (const std::string& where : occurrences(output, "leak")) {
    INFO("a fake secret reached the output: ..." << where << "...");
    CHECK(false);
  }
}

TEST_CASE("secrets: the events of issue 13 keep what makes them useful", "[secrets][regression]") {
  std::vector<faultline::json::Value> events;
  for (const std::string& line : split_lines(replay_defaults(kLeaks))) {
    auto e = faultline::json::parse(line);
    REQUIRE(e.ok());
    events.push_back(std::move(e).value());
  }
  using faultline::json::to_string;
  // The server's address and port, and the host of a connection string.
  const auto* orders = event_with_message(events, "orders failed");
  REQUIRE(orders != nullptr);
  CHECK(orders->find_path("exception.values")->as_array()[0].find("value")->as_string() ==
        "connect ECONNREFUSED 10.0.3.7:5432");
  // ...but not the client's.
  CHECK(orders->find_path("request.headers.x-forwarded-for")->as_string() == "[Filtered]");
  CHECK(orders->find_path("extra.remoteAddress")->as_string() == "[Filtered]");
  CHECK(orders->find_path("user.ip_address") == nullptr);
  CHECK(orders->find_path("user.id") != nullptr);
  const auto* db = event_with_message(events, "db connect failed");
  REQUIRE(db != nullptr);
  CHECK(to_string(*db).find("@db.internal:5432/shop") != std::string::npos);
  CHECK(db->find_path("extra.callback")->as_string() ==
        "https://app.example.com/oauth/cb?code=[Filtered]&state=af0ifjsldkj");
  // Header names, the other headers, the shape of a map keyed by email, the PEM markers.
  const auto* upstream = event_with_message(events, "upstream call failed");
  REQUIRE(upstream != nullptr);
  CHECK(
      to_string(*upstream->find_path("extra.rawHeaders")) ==
      R"(["Host","api.example.com","X-Api-Key","[Filtered]","Authorization","[Filtered]","Accept","application/json"])");
  const auto* quota = event_with_message(events, "quota");
  REQUIRE(quota != nullptr);
  CHECK(to_string(*quota->find_path("extra.byEmail")) == R"({"[email]":3,"[email]#2":4})");
  const auto* key = event_with_message(events, "key load failed");
  REQUIRE(key != nullptr);
  CHECK(
      key->find_path("exception.values")->as_array()[0].find("value")->as_string() ==
      "could not load key -----BEGIN RSA PRIVATE KEY-----[Filtered]-----END RSA PRIVATE KEY-----");
  // Prose that talks about secrets without holding one stays readable.
  const auto* login = event_with_message(events, "rejected bad token [Filtered]");
  REQUIRE(login != nullptr);
  CHECK(login->find_path("exception.values")->as_array()[0].find("value")->as_string() ==
        "login failed for carol with password [Filtered]");
  // A crawler's 500 is a server bug: sent, tagged. Its 404 is not sent.
  const auto* crawler = event_with_message(events, "request errored");
  REQUIRE(crawler != nullptr);
  CHECK(crawler->find_path("tags")->find("client.bot")->as_string() == "true");
  CHECK(crawler->find_path("tags")->find("http.status_code")->as_string() == "500");
}

TEST_CASE("secrets: the issue 13 check can fail: without the secrets preset they leak",
          "[secrets]") {
  TempDir dir;
  const std::string config = dir.write("c.yaml", "rules:\n  presets: {secrets: false}\n");
  RunResult r = run_faultline({.args = {"replay", "-c", config, "--print", kLeaks}});
  REQUIRE(r.exit_code == 0);
  CHECK(occurrences(r.out, "leak").size() > 50);
}

TEST_CASE("secrets: check --explain shows no secret of a kept event, header line included",
          "[secrets][regression]") {
  RunResult r = run_faultline({.args = {"check", "--explain", kLeaks}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("could not load key -----BEGIN RSA PRIVATE KEY-----[Filtered]") !=
        std::string::npos);
  for (const std::string& where : occurrences(r.out, "leak")) {
    INFO("check --explain printed a fake secret: ..." << where << "...");
    CHECK(false);
  }
}

// An event dropped by express-noise never reached the secrets preset: its header line shows the
// exception's type only.
TEST_CASE("secrets: check --explain shows no secret of a dropped event", "[secrets]") {
  TempDir dir;
  const std::string log = dir.write(
      "dropped.ndjson",
      R"({"level":50,"time":1795502011000,"req":{"id":1,"method":"POST","url":"/api/keys"},)"
      R"("res":{"statusCode":400},"err":{"type":"Error","message":"bad key -----BEGIN PRIVATE )"
      R"(KEY-----\nMIIEvLEAKQIBADANBg\n-----END PRIVATE KEY-----","stack":"Error: bad key\n    )"
      R"J(at f (/app/a.js:1:1)"},"msg":"rejected"})J"
      "\n");
  RunResult r = run_faultline({.args = {"check", "--explain", log}});
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.out.find("dropped by preset express-noise") != std::string::npos);
  CHECK(occurrences(r.out, "leak").empty());
  CHECK(r.out.find("Error (message not shown: dropped before scrubbing)") != std::string::npos);
}
