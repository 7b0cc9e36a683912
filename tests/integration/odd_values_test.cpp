// Values faultline cannot hold (nesting past its depth limit, a number beyond a double's range)
// and integers beyond what JavaScript holds exactly, on tests/data/records/odd-values.ndjson:
// an error record is sent with a marker in place of its odd value, never lost to it, and ids are
// kept as written.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "parsers/json.h"
#include "support/process.h"

using namespace faultline::test;
using faultline::json::Value;

namespace {

const std::string kOdd = data_dir() + "/records/odd-values.ndjson";

// The deepest nesting of a JSON text (strings skipped).
size_t depth_of(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

TEST_CASE("odd values: each error record is sent, its odd value replaced by a marker",
          "[replay][odd]") {
  RunResult r = run_faultline({.args = {"replay", "--print", kOdd}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // By the error's message: the raw event line and the event parsed.
  std::map<std::string, std::string> raw;
  std::map<std::string, Value> events;
  for (const std::string& line : split_lines(r.out)) {
    // Sentry's ingestion reads JSON to 128 levels; faultline keeps events well inside that.
    CHECK(depth_of(line) <= 110);
    auto parsed = faultline::json::parse(line);
    REQUIRE(parsed.ok());
    const Value* values = parsed->find_path("exception.values");
    REQUIRE(values != nullptr);
    const std::string message = values->as_array().back().find("value")->as_string();
    raw[message] = line;
    events[message] = std::move(parsed).value();
  }
  // Four error records with odd values, and the two requests of the next test case.
  CHECK(events.size() == 4 + 1);
  REQUIRE(raw.count("deep payload") == 1);
  CHECK(raw["deep payload"].find(R"("[unreadable: nested too deep]")") != std::string::npos);
  REQUIRE(events.count("huge ratio") == 1);
  CHECK(events["huge ratio"].find_path("extra.ratio")->as_string() ==
        "[unreadable: number out of range]");
  // Below -2^63 is still a number JSON.parse reads: it is kept, digit for digit.
  REQUIRE(raw.count("tiny balance") == 1);
  CHECK(raw["tiny balance"].find(R"("balance":-9223372036854775809)") != std::string::npos);
  // pino-http's "request errored" at level 30, with the err and an odd value.
  REQUIRE(events.count("request errored") == 1);
  CHECK(events["request errored"].find_path("extra.ratio")->as_string() ==
        "[unreadable: number out of range]");
  CHECK(events["request errored"].find("tags")->find("http.status_code")->as_string() == "500");
  // The odd lines that are not errors: read as JSON, no event, nothing unusable.
  CHECK(r.err.find("11 lines read, 11 JSON, 0 non-JSON; 8 errors detected, 6 events") !=
        std::string::npos);
  CHECK(r.err.find("unusable") == std::string::npos);
}

TEST_CASE("odd values: request ids beyond 2^53 keep every digit", "[replay][odd]") {
  // 18446744073709551615 and 18446744073709551614 are one number to JavaScript
  // (18446744073709552000): two requests, two events, each with its own id.
  RunResult r = run_faultline({.args = {"replay", "--print", kOdd}});
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> ids;
  for (const std::string& line : split_lines(r.out)) {
    if (line.find("lookup failed") == std::string::npos) continue;
    auto event = faultline::json::parse(line);
    REQUIRE(event.ok());
    ids.push_back(event->find("tags")->find("request_id")->as_string());
    // Each event is its own request's: completed by its own 500, with one error each.
    CHECK(event->find("tags")->find("http.status_code")->as_string() == "500");
    CHECK(line.find(R"(1.8446744073709552e+19)") == std::string::npos);
  }
  CHECK(ids == std::vector<std::string>{"18446744073709551615", "18446744073709551614"});
}
