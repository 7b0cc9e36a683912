// Durations and sizes as written in the configuration, and their canonical text.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "base/units.h"

using faultline::duration_hint;
using faultline::format_duration;
using faultline::format_size;
using faultline::parse_duration;
using faultline::parse_size;
using std::chrono::milliseconds;

TEST_CASE("units: parse_duration", "[units]") {
  CHECK(parse_duration("5s") == milliseconds(5000));
  CHECK(parse_duration("250ms") == milliseconds(250));
  CHECK(parse_duration("1.5m") == milliseconds(90000));
  CHECK(parse_duration("10min") == milliseconds(600000));
  CHECK(parse_duration("2h") == milliseconds(7200000));
  CHECK(parse_duration("1d") == milliseconds(86400000));
  CHECK(parse_duration("0") == milliseconds(0));
  CHECK(parse_duration("0s") == milliseconds(0));
  CHECK(parse_duration("0.0") == milliseconds(0));
  CHECK(parse_duration("1.25s") == milliseconds(1250));
  CHECK(parse_duration(".5s") == milliseconds(500));
  CHECK(parse_duration("007s") == milliseconds(7000));
  // Surrounding spaces, and a space before the unit, are tolerated.
  CHECK(parse_duration(" 5s ") == milliseconds(5000));
  CHECK(parse_duration("5 s") == milliseconds(5000));
  // Fractions of a millisecond round to the nearest one.
  CHECK(parse_duration("1.5ms") == milliseconds(2));
  CHECK(parse_duration("0.0014s") == milliseconds(1));
}

TEST_CASE("units: parse_duration rejects what is not a duration", "[units]") {
  const char* bad[] = {"",     "five", "5",     "5x",     "-1s", "+1s",   "s",
                       "ms",   ".",    ".s",    "1.2.3s", "5S",  "5sec",  "5 ms x",
                       "1e3s", "5s5s", "0x10s", "inf s",  "nan", "5m30s", "99999999999d"};
  for (const char* text : bad) {
    INFO("input: \"" << text << "\"");
    CHECK_FALSE(parse_duration(text).has_value());
  }
}

// Rules and the configuration once had two grammars: `correlation.hold: 1.5m` was valid while a
// throttle `window: 1.5m` was an error, and `window: 30` (seconds) was valid while `hold: 30` was
// an error. There is one now, for every key.
TEST_CASE("units: one duration grammar: fractions everywhere, bare numbers nowhere", "[units]") {
  CHECK(parse_duration("1.5m") == milliseconds(90'000));
  CHECK(parse_duration("90s") == milliseconds(90'000));
  CHECK(parse_duration("250ms") == milliseconds(250));
  CHECK(parse_duration("5m") == milliseconds(300'000));
  CHECK(parse_duration("1h") == milliseconds(3'600'000));
  CHECK(parse_duration("1d") == milliseconds(86'400'000));
  CHECK_FALSE(parse_duration("30").has_value());
  CHECK_FALSE(parse_duration("1.5").has_value());
  CHECK(duration_hint("30") == "write 30s or 30ms");
  CHECK(duration_hint(" 1.5 ") == "write 1.5s or 1.5ms");
  CHECK(duration_hint("30s").empty());
  CHECK(duration_hint("five").empty());
  CHECK(parse_duration("0") == milliseconds(0));  // the same in every unit
}

TEST_CASE("units: format_duration uses the largest exact unit", "[units]") {
  CHECK(format_duration(milliseconds(0)) == "0s");
  CHECK(format_duration(milliseconds(5000)) == "5s");
  CHECK(format_duration(milliseconds(250)) == "250ms");
  CHECK(format_duration(milliseconds(1500)) == "1500ms");
  CHECK(format_duration(milliseconds(60000)) == "1m");
  CHECK(format_duration(milliseconds(90000)) == "90s");
  CHECK(format_duration(milliseconds(7200000)) == "2h");
  CHECK(format_duration(milliseconds(86400000)) == "24h");
  CHECK(format_duration(milliseconds(5400000)) == "90m");
}

TEST_CASE("units: durations round trip through their text", "[units]") {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int64_t> small(0, 100000);
  std::uniform_int_distribution<int64_t> large(0, int64_t{1} << 40);
  for (int i = 0; i < 5000; ++i) {
    for (int64_t ms : {small(rng), small(rng) * 1000, small(rng) * 60000, large(rng)}) {
      const std::string text = format_duration(milliseconds(ms));
      INFO(ms << " → " << text);
      REQUIRE(parse_duration(text) == milliseconds(ms));
    }
  }
}

TEST_CASE("units: parse_size", "[units]") {
  CHECK(parse_size("16KiB") == uint64_t{16384});
  CHECK(parse_size("1MiB") == uint64_t{1048576});
  CHECK(parse_size("1MB") == uint64_t{1000000});
  CHECK(parse_size("1KB") == uint64_t{1000});
  CHECK(parse_size("2GB") == uint64_t{2000000000});
  CHECK(parse_size("1GiB") == uint64_t{1073741824});
  CHECK(parse_size("1G") == uint64_t{1073741824});
  CHECK(parse_size("1M") == uint64_t{1048576});
  CHECK(parse_size("1K") == uint64_t{1024});
  CHECK(parse_size("1k") == uint64_t{1024});
  CHECK(parse_size("123") == uint64_t{123});
  CHECK(parse_size("123B") == uint64_t{123});
  CHECK(parse_size("0") == uint64_t{0});
  CHECK(parse_size("1.5KiB") == uint64_t{1536});
  CHECK(parse_size("256MB") == uint64_t{256000000});
  CHECK(parse_size(" 1 MiB ") == uint64_t{1048576});
  // Large values stay exact up to what a uint64 holds.
  CHECK(parse_size("8GiB") == uint64_t{8589934592});
  CHECK(parse_size("10000000000GB") == uint64_t{10'000'000'000'000'000'000u});
  CHECK(parse_size("16000000000GB") == uint64_t{16'000'000'000'000'000'000u});
}

TEST_CASE("units: parse_size rejects what is not a size", "[units]") {
  const char* bad[] = {"",
                       "KiB",
                       "MiB1",
                       "1TB",
                       "1kib",
                       "1mb",
                       "-1",
                       "-1KiB",
                       "1e3",
                       "1 2",
                       "1..5",
                       "x",
                       "1KiBs",
                       "1.5.5M",
                       "18446744073709551616",
                       "20000000000GB",
                       "1e30GB"};
  for (const char* text : bad) {
    INFO("input: \"" << text << "\"");
    CHECK_FALSE(parse_size(text).has_value());
  }
}

TEST_CASE("units: format_size and round trip", "[units]") {
  CHECK(format_size(0) == "0B");
  CHECK(format_size(1) == "1B");
  CHECK(format_size(1024) == "1KiB");
  CHECK(format_size(1536) == "1536B");
  CHECK(format_size(1048576) == "1MiB");
  CHECK(format_size(1000000) == "1000000B");
  CHECK(format_size(uint64_t{5} << 30) == "5GiB");
  CHECK(format_size(uint64_t{3} << 40) == "3072GiB");

  std::mt19937_64 rng(16);
  std::uniform_int_distribution<uint64_t> any(0, uint64_t{1} << 50);
  std::uniform_int_distribution<uint64_t> small(0, 4096);
  for (int i = 0; i < 5000; ++i) {
    for (uint64_t bytes : {any(rng), small(rng), small(rng) << 10, small(rng) << 20}) {
      const std::string text = format_size(bytes);
      INFO(bytes << " → " << text);
      REQUIRE(parse_size(text) == bytes);
    }
  }
}
