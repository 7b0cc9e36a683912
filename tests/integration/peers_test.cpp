// faultline's events checked by Sentry's own tools (tests/peers/validate_events.mjs): every
// request body the receiver got from the real binary is parsed with @sentry/core's
// parseEnvelope, and every event is validated against Sentry's event JSON schema
// (tests/data/schemas/sentry-event.schema.json) with ajv, plus the checks the schema does not make
// (trace and span id shapes, the logged error last, line numbers, numeric timestamps, tags).
// Needs tests/peers/node_modules (`cd tests/peers && npm ci`); without it the tests warn and pass,
// as the other peer tests do.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "parsers/json.h"
#include "support/process.h"
#include "support/receiver.h"

using namespace faultline::test;
using faultline::testing::ReceivedRequest;
using faultline::testing::Receiver;

namespace {

const std::string kPeers = source_dir() + "/tests/peers";
const std::string kSchema = data_dir() + "/schemas/sentry-event.schema.json";
const std::vector<std::string> kFixtures = {"a-default", "e-edge-cases"};

std::string fixture(const std::string& name) {
  return data_dir() + "/pino/" + name + ".ndjson";
}

bool peers_installed() {
  if (std::filesystem::exists(kPeers + "/node_modules/@sentry/core") &&
      std::filesystem::exists(kPeers + "/node_modules/ajv")) {
    return true;
  }
  WARN(
      "tests/peers/node_modules is missing: run `npm ci` in tests/peers to check events with "
      "Sentry's envelope parser and event schema");
  return false;
}

RunResult validate(const std::vector<std::string>& args) {
  RunOptions options{.args = {"node", kPeers + "/validate_events.mjs"}};
  options.args.insert(options.args.end(), args.begin(), args.end());
  return run("/usr/bin/env", options);  // finds node on the base PATH
}

std::set<std::string> ids_of(const std::string& events_jsonl) {
  std::set<std::string> ids;
  for (const std::string& line : split_lines(events_jsonl)) {
    auto event = faultline::json::parse(line);
    REQUIRE(event.ok());
    ids.insert(event->find("event_id")->as_string());
  }
  return ids;
}

}  // namespace

TEST_CASE("peers: envelopes faultline sends parse with @sentry/core and match Sentry's schema",
          "[peers]") {
  if (!peers_installed()) return;
  REQUIRE(std::filesystem::exists(kSchema));
  TempDir bodies;
  size_t total = 0;
  for (const std::string& name : kFixtures) {
    INFO("fixture " << name);
    TempDir dir;
    Receiver rx;
    const std::string config =
        dir.write("faultline.yaml", "sentry:\n  dsn: \"" + rx.dsn() +
                                        "\"\ndelivery:\n  spool_dir: " + dir.file("spool") + "\n");
    RunResult printed = run_faultline({.args = {"replay", "-c", config, "--print", fixture(name)}});
    REQUIRE(printed.exit_code == 0);
    const std::set<std::string> expected = ids_of(printed.out);
    REQUIRE(!expected.empty());

    RunResult r =
        run_faultline({.args = {"replay", "-c", config, "--timeout", "150", fixture(name)},
                       .timeout = std::chrono::milliseconds(180'000)});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::vector<ReceivedRequest> requests = rx.requests();
    std::set<std::string> received;
    for (const ReceivedRequest& q : requests) {
      received.insert(q.event_id());
      // The body as received (the receiver inflated it if it was gzipped).
      bodies.write(name + "-" + std::to_string(q.index) + ".envelope", q.envelope);
    }
    CHECK(received == expected);
    total += requests.size();
  }

  RunResult v = validate({bodies.path()});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(v.out.find(std::to_string(total) + " passed, 0 failed") != std::string::npos);
}

TEST_CASE("peers: replay --print events of both fixtures match Sentry's schema", "[peers]") {
  if (!peers_installed()) return;
  TempDir dir;
  std::vector<std::string> args;
  size_t total = 0;
  for (const std::string& name : kFixtures) {
    RunResult r = run_faultline({.args = {"replay", "--print", fixture(name)}});
    REQUIRE(r.exit_code == 0);
    total += split_lines(r.out).size();
    args.push_back("--events");
    args.push_back(dir.write(name + ".events.ndjson", r.out));
  }
  RunResult v = validate(args);
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(v.out.find(std::to_string(total) + " passed, 0 failed") != std::string::npos);
}

TEST_CASE("peers: validate_events.mjs reports each broken field of a broken event", "[peers]") {
  if (!peers_installed()) return;
  TempDir dir;
  const std::string good =
      R"({"event_id":"0123456789abcdef0123456789abcdef","timestamp":1795502011.075,)"
      R"("platform":"node","level":"error","exception":{"values":[{"type":"Error","value":"boom",)"
      R"("stacktrace":{"frames":[{"filename":"/app/a.js","function":"f","lineno":1,"colno":1}]},)"
      R"("mechanism":{"type":"generic","handled":true,"exception_id":0}}]},)"
      R"("contexts":{"trace":{"trace_id":"0123456789abcdef0123456789abcdef",)"
      R"("span_id":"0123456789abcdef"}},"breadcrumbs":{"values":[{"timestamp":1795502011.0,)"
      R"("message":"x"}]},"tags":{"request_id":"7"}})";
  const std::string bad =
      R"({"event_id":"0123456789abcdef0123456789abcdef","timestamp":"2026-11-26T00:00:00Z",)"
      R"("platform":"node","level":"critical","unknown_key":1,"exception":{"values":[)"
      R"({"type":"Error","value":"root","mechanism":{"type":"generic","exception_id":0}},)"
      R"({"type":"Error","value":"cause","stacktrace":{"frames":[{"filename":"/app/a.js",)"
      R"("function":"f","lineno":0}]},"mechanism":{"type":"chained","exception_id":1,)"
      R"("parent_id":0}}]},"contexts":{"trace":{"trace_id":"0123","span_id":"0123456789ABCDEF"}},)"
      R"("request":{"cookies":"[Filtered]"},"tags":{"a key far too long for a sentry tag":"x"}})";
  const std::string events = dir.write("events.ndjson", good + "\n" + bad + "\n");
  // An envelope whose header disagrees with its event, and one with a bad sent_at.
  const std::string envelopes = dir.file("bodies");
  std::filesystem::create_directories(envelopes);
  const auto envelope = [&](const std::string& header) {
    return header + "\n{\"type\":\"event\",\"length\":" + std::to_string(good.size()) + "}\n" +
           good + "\n";
  };
  dir.write("bodies/1.envelope",
            envelope(R"({"event_id":"ffffffffffffffffffffffffffffffff",)"
                     R"("sent_at":"2026-11-26T00:00:01.000Z","sdk":{"name":"faultline",)"
                     R"("version":"0.1.0"}})"));
  dir.write("bodies/2.envelope", envelope(R"({"event_id":"0123456789abcdef0123456789abcdef",)"
                                          R"("sent_at":"yesterday","sdk":{"name":"faultline"}})"));

  RunResult v = validate({envelopes, "--events", events});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 1);
  CHECK(v.out.find("1 passed, 3 failed") != std::string::npos);
  for (const char* expected : {
           "must NOT have additional properties (unknown_key)",
           "/level = \"critical\": must be equal to one of the allowed values",
           "/request/cookies = \"[Filtered]\": must be object | must be array",
           "timestamp must be epoch seconds (a number)",
           "contexts.trace.trace_id must be 32 lowercase hex",
           "contexts.trace.span_id must be 16 lowercase hex",
           "exception.values[0] has exception_id 0 but is not last",
           "exception.values[1].stacktrace.frames[0].lineno must be an integer >= 1, got 0",
           "tag key \"a key far too long for a sentry tag\"",
           "differs from the envelope's ffffffffffffffffffffffffffffffff",
           "envelope header sent_at must be RFC 3339, got \"yesterday\"",
           "envelope header sdk must be {name, version}",
       }) {
    CHECK(v.out.find(expected) != std::string::npos);
  }
}
