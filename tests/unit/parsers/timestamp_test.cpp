// Timestamps: pino's epoch numbers and RFC 3339 strings → microseconds, and back to text.
// Expected epoch values were computed independently (Python's calendar.timegm).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>

#include "parsers/timestamp.h"

using faultline::epoch_number_to_micros;
using faultline::format_rfc3339_millis;
using faultline::parse_rfc3339_micros;

namespace {

constexpr int64_t kSec = 1'000'000;
// 2026-11-24T06:33:37Z, the second most of the fixture lines were written in.
constexpr int64_t kBase = 1'795'502'017 * kSec;

}  // namespace

TEST_CASE("timestamp: RFC 3339 with Z and 0 to 9 fractional digits", "[timestamp]") {
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37Z") == kBase);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.5Z") == kBase + 500000);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.54Z") == kBase + 540000);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.549Z") == kBase + 549000);  // isoTime
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.5494Z") == kBase + 549400);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.54947Z") == kBase + 549470);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.549479Z") == kBase + 549479);
  // Digits past the microsecond are dropped, not rounded.
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.5494791Z") == kBase + 549479);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.54947919Z") == kBase + 549479);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.549479100Z") == kBase + 549479);  // isoTimeNano
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.999999999Z") == kBase + 999999);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.000000000Z") == kBase);
  // ISO 8601's comma is accepted as the decimal sign.
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37,25Z") == kBase + 250000);
}

TEST_CASE("timestamp: RFC 3339 offsets, lower case and space separator", "[timestamp]") {
  const int64_t t = kBase + 549000;
  CHECK(parse_rfc3339_micros("2026-11-24T08:33:37.549+02:00") == t);
  CHECK(parse_rfc3339_micros("2026-11-24T08:33:37.549+0200") == t);
  CHECK(parse_rfc3339_micros("2026-11-24T01:03:37.549-05:30") == t);
  CHECK(parse_rfc3339_micros("2026-11-24T01:03:37.549-0530") == t);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.549+00:00") == t);
  CHECK(parse_rfc3339_micros("2026-11-24T06:33:37.549-00:00") == t);
  // The offset moves the date too.
  CHECK(parse_rfc3339_micros("2026-11-25T05:33:37.549+23:00") == t);
  CHECK(parse_rfc3339_micros("2026-11-23T07:33:37.549-23:00") == t);
  CHECK(parse_rfc3339_micros("2026-11-24t06:33:37.549z") == t);
  CHECK(parse_rfc3339_micros("2026-11-24 06:33:37.549Z") == t);
  CHECK(parse_rfc3339_micros("2026-11-24 08:33:37.549+02:00") == t);
}

TEST_CASE("timestamp: calendar edges", "[timestamp]") {
  CHECK(parse_rfc3339_micros("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339_micros("1970-01-01T00:00:00.000001Z") == 1);
  CHECK(parse_rfc3339_micros("1969-12-31T23:59:59.999Z") == -1000);
  CHECK(parse_rfc3339_micros("1969-12-31T00:00:00Z") == -86400 * kSec);
  CHECK(parse_rfc3339_micros("0001-01-01T00:00:00Z") == -62'135'596'800 * kSec);
  CHECK(parse_rfc3339_micros("9999-12-31T23:59:59.999999Z") == 253'402'300'799 * kSec + 999999);
  CHECK(parse_rfc3339_micros("2000-02-29T12:00:00Z") == 951'825'600 * kSec);
  CHECK(parse_rfc3339_micros("2024-02-29T00:00:00Z") == 1'709'164'800 * kSec);
  // A leap second is read as the first second of the next minute.
  CHECK(parse_rfc3339_micros("2016-12-31T23:59:60Z") == (1'483'228'799 + 1) * kSec);
}

TEST_CASE("timestamp: invalid dates and strings are rejected", "[timestamp]") {
  const char* bad[] = {
      "",
      "2026",
      "2026-11-24",
      "2026-11-24T06:33",
      "2026-11-24T06:33:37",        // no zone: ambiguous, pino always writes one
      "2026-11-24T06:33:37.Z",      // a dot without digits
      "2026-11-24T06:33:37.549",    // fraction, still no zone
      "2026-11-24T06:33:37.549Zx",  // trailing junk
      "2026-11-24T06:33:37.549Z ",
      " 2026-11-24T06:33:37.549Z",
      "2026-11-24T06:33:37.549+02",    // offset without minutes
      "2026-11-24T06:33:37.549+2:00",  // one-digit hour
      "2026-11-24T06:33:37.549+02:0",
      "2026-11-24T06:33:37.549+02:000",
      "2026-11-24T06:33:37.549+24:00",  // offset hour out of range
      "2026-11-24T06:33:37.549+02:60",  // offset minute out of range
      "2026-11-24X06:33:37Z",
      "2026/11/24T06:33:37Z",
      "26-11-24T06:33:37Z",
      "+2026-11-24T06:33:37Z",
      "2026-1-24T06:33:37Z",
      "2026-11-24T6:33:37Z",
      "2026-13-01T00:00:00Z",
      "2026-00-10T00:00:00Z",
      "2026-11-00T00:00:00Z",
      "2026-11-32T00:00:00Z",
      "2026-02-30T00:00:00Z",  // no such day
      "2026-04-31T00:00:00Z",
      "2023-02-29T00:00:00Z",  // not a leap year
      "1900-02-29T00:00:00Z",  // divisible by 100, not by 400
      "2026-11-24T24:00:00Z",
      "2026-11-24T06:60:00Z",
      "2026-11-24T06:33:61Z",
      "yesterday",
      "1795502017505",
      "2026-11-24T06:33:37.549\xEF\xBC\xBA",  // a full-width Z
  };
  for (const char* text : bad) {
    INFO("input: \"" << text << "\"");
    CHECK_FALSE(parse_rfc3339_micros(text).has_value());
  }
  // A view that stops before the zone is judged on the view alone.
  const std::string s = "2026-11-24T06:33:37.549Z";
  CHECK_FALSE(parse_rfc3339_micros(std::string_view(s.data(), s.size() - 1)).has_value());
}

TEST_CASE("timestamp: epoch numbers, milliseconds vs seconds", "[timestamp]") {
  CHECK(epoch_number_to_micros(1795502017505) == kBase + 505000);  // epochTime (ms)
  CHECK(epoch_number_to_micros(1795502018) == kBase + kSec);       // unixTime (s)
  CHECK(epoch_number_to_micros(1795502017505.5) == kBase + 505500);
  CHECK(epoch_number_to_micros(1.25) == 1250000);
  CHECK(epoch_number_to_micros(0) == 0);
  // The boundary: below 1e11 is seconds, from 1e11 on milliseconds.
  CHECK(epoch_number_to_micros(99'999'999'999.0) == 99'999'999'999 * kSec);
  CHECK(epoch_number_to_micros(100'000'000'000.0) == 100'000'000'000'000);
  // Rejected: negative, non-finite, beyond int64 microseconds.
  CHECK_FALSE(epoch_number_to_micros(-1).has_value());
  CHECK_FALSE(epoch_number_to_micros(-1e-9).has_value());
  CHECK_FALSE(epoch_number_to_micros(std::numeric_limits<double>::infinity()).has_value());
  CHECK_FALSE(epoch_number_to_micros(std::numeric_limits<double>::quiet_NaN()).has_value());
  CHECK_FALSE(epoch_number_to_micros(1e16).has_value());
  CHECK_FALSE(epoch_number_to_micros(1e300).has_value());
  CHECK(epoch_number_to_micros(9.2e15) == 9'200'000'000'000'000'000);
}

TEST_CASE("timestamp: format_rfc3339_millis", "[timestamp]") {
  CHECK(format_rfc3339_millis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339_millis(kBase + 549479) == "2026-11-24T06:33:37.549Z");  // truncated
  CHECK(format_rfc3339_millis(kBase + 999999) == "2026-11-24T06:33:37.999Z");
  CHECK(format_rfc3339_millis(951'825'600 * kSec) == "2000-02-29T12:00:00.000Z");
  // Negative times round towards the past, as a clock would show them.
  CHECK(format_rfc3339_millis(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_rfc3339_millis(-1000) == "1969-12-31T23:59:59.999Z");
  CHECK(format_rfc3339_millis(-1001) == "1969-12-31T23:59:59.998Z");
  CHECK(format_rfc3339_millis(-kSec) == "1969-12-31T23:59:59.000Z");
  CHECK(format_rfc3339_millis(-86400 * kSec) == "1969-12-31T00:00:00.000Z");
  CHECK(format_rfc3339_millis(-62'135'596'800 * kSec) == "0001-01-01T00:00:00.000Z");
  // The extremes of int64 do not overflow (years outside 0000-9999 take more digits).
  CHECK(format_rfc3339_millis(std::numeric_limits<int64_t>::max()) == "294247-01-10T04:00:54.775Z");
  CHECK(format_rfc3339_millis(std::numeric_limits<int64_t>::min()) ==
        "-290308-12-21T19:59:05.224Z");
}

TEST_CASE("timestamp: format and parse round trip at millisecond precision", "[timestamp]") {
  std::mt19937_64 rng(1795502017);
  // Years 0001 to 9999, both signs of the epoch.
  std::uniform_int_distribution<int64_t> ms_dist(-62'135'596'800'000, 253'402'300'799'999);
  for (int i = 0; i < 20000; ++i) {
    const int64_t micros = ms_dist(rng) * 1000;
    const std::string text = format_rfc3339_millis(micros);
    INFO(micros << " → " << text);
    REQUIRE(text.size() == 24);
    REQUIRE(parse_rfc3339_micros(text) == micros);
  }
  // And text → micros → text.
  for (const char* text : {"2026-11-24T06:33:37.549Z", "1969-07-20T20:17:40.000Z",
                           "1900-03-01T00:00:00.001Z", "2100-12-31T23:59:59.999Z"}) {
    const std::optional<int64_t> micros = parse_rfc3339_micros(text);
    REQUIRE(micros.has_value());
    CHECK(format_rfc3339_millis(*micros) == text);
  }
}
