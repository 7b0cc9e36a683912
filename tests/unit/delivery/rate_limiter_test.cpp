#include <catch2/catch.hpp>

#include "agent/delivery/rate_limiter.h"

using namespace faultline::delivery;
using faultline::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {
const Clock::time_point kNow = Clock::time_point() + std::chrono::hours(5);
const auto kWall = std::chrono::system_clock::time_point(seconds(1735689600));  // 2025-01-01
}  // namespace

TEST_CASE("rate limiter: X-Sentry-Rate-Limits sets each category's deadline", "[ratelimit]") {
  // The header of sentry-native's test_ratelimiter.c.
  RateLimiter rl;
  CHECK(rl.apply_rate_limits_header(
      "120:error:project, 60:session:foo, 30::bar, 120:invalid:invalid", kNow));
  CHECK(rl.limited_until(Category::kError) == kNow + seconds(120));
  CHECK(rl.limited_until(Category::kSession) == kNow + seconds(60));
  CHECK(rl.limited_until(Category::kAll) == kNow + seconds(30));
  // The all-categories limit applies to every category.
  CHECK(rl.limited_until(Category::kTransaction) == kNow + seconds(30));
  CHECK(rl.is_limited(Category::kTransaction, kNow + seconds(29)));
  CHECK_FALSE(rl.is_limited(Category::kTransaction, kNow + seconds(30)));
  CHECK(rl.is_limited(Category::kError, kNow + seconds(119)));
}

TEST_CASE("rate limiter: several categories, spaces, decimals, reason codes", "[ratelimit]") {
  RateLimiter rl;
  CHECK(rl.apply_rate_limits_header(
      "60:transaction:key,  2700 : default;error;security : organization : quota_exceeded, "
      "1.5:attachment:key",
      kNow));
  CHECK(rl.limited_until(Category::kTransaction) == kNow + seconds(60));
  CHECK(rl.limited_until(Category::kDefault) == kNow + seconds(2700));
  CHECK(rl.limited_until(Category::kError) == kNow + seconds(2700));
  CHECK(rl.limited_until(Category::kSecurity) == kNow + seconds(2700));
  CHECK(rl.limited_until(Category::kAttachment) == kNow + milliseconds(1500));
  CHECK(rl.limited_until(Category::kSession) == Clock::time_point::min());
}

TEST_CASE("rate limiter: only unknown categories or malformed limits change nothing",
          "[ratelimit]") {
  RateLimiter rl;
  CHECK_FALSE(rl.apply_rate_limits_header("60:invalid:key, abc:error:key, -5:error:key, 60", kNow));
  CHECK_FALSE(rl.is_limited(Category::kError, kNow));
  CHECK_FALSE(rl.is_limited(Category::kAll, kNow));
}

TEST_CASE("rate limiter: overlapping limits keep the later deadline", "[ratelimit]") {
  RateLimiter rl;
  CHECK(rl.apply_rate_limits_header("100:error:key", kNow));
  CHECK_FALSE(rl.apply_rate_limits_header("10:error:key", kNow));
  CHECK(rl.limited_until(Category::kError) == kNow + seconds(100));
  CHECK(rl.apply_rate_limits_header("10:error:key", kNow + seconds(95)));
  CHECK(rl.limited_until(Category::kError) == kNow + seconds(105));
}

TEST_CASE("rate limiter: limits are capped at 24 hours", "[ratelimit]") {
  RateLimiter rl;
  CHECK(rl.apply_rate_limits_header("99999999999:error:key", kNow));
  CHECK(rl.limited_until(Category::kError) == kNow + std::chrono::hours(24));
}

TEST_CASE("rate limiter: 429 uses the header, else Retry-After, else 60 s", "[ratelimit]") {
  SECTION("header wins over Retry-After") {
    RateLimiter rl;
    CHECK(rl.update(429, "10", "60:error;transaction:key:quota, 2700::organization",
                    Category::kError, kNow, kWall));
    CHECK(rl.limited_until(Category::kError) == kNow + seconds(2700));
    CHECK(rl.limited_until(Category::kAll) == kNow + seconds(2700));
  }
  SECTION("Retry-After in seconds limits everything") {
    RateLimiter rl;
    CHECK(rl.update(429, "2", "", Category::kError, kNow, kWall));
    CHECK(rl.limited_until(Category::kAll) == kNow + seconds(2));
    CHECK(rl.limited_until(Category::kReplay) == kNow + seconds(2));
  }
  SECTION("Retry-After as an HTTP date") {
    RateLimiter rl;
    CHECK(rl.update(429, "Wed, 01 Jan 2025 00:01:30 GMT", "", Category::kError, kNow, kWall));
    CHECK(rl.limited_until(Category::kAll) == kNow + seconds(90));
  }
  SECTION("no usable header: 60 s") {
    RateLimiter rl;
    CHECK(rl.update(429, "soon", "", Category::kError, kNow, kWall));
    CHECK(rl.limited_until(Category::kAll) == kNow + seconds(60));
    RateLimiter bare;
    CHECK(bare.update(429, "", "", Category::kError, kNow, kWall));
    CHECK(bare.limited_until(Category::kError) == kNow + seconds(60));
  }
  SECTION("a 429 whose header misses the sent category still blocks it") {
    RateLimiter rl;
    CHECK(rl.update(429, "5", "60:transaction:key", Category::kError, kNow, kWall));
    CHECK(rl.limited_until(Category::kTransaction) == kNow + seconds(60));
    CHECK(rl.limited_until(Category::kError) == kNow + seconds(5));
    CHECK_FALSE(rl.is_limited(Category::kAll, kNow));
  }
}

TEST_CASE("rate limiter: a 200 may carry limits, without them it changes nothing", "[ratelimit]") {
  RateLimiter rl;
  CHECK_FALSE(rl.update(200, "30", "", Category::kError, kNow, kWall));
  CHECK_FALSE(rl.is_limited(Category::kError, kNow));
  CHECK(rl.update(200, "", "30:error:key", Category::kError, kNow, kWall));
  CHECK(rl.limited_until(Category::kError) == kNow + seconds(30));
}

TEST_CASE("rate limiter: Retry-After parsing", "[ratelimit]") {
  CHECK(parse_retry_after("120", kWall) == milliseconds(120000));
  CHECK(parse_retry_after(" 1.25 ", kWall) == milliseconds(1250));
  CHECK(parse_retry_after("0", kWall) == milliseconds(0));
  CHECK(parse_retry_after("Tue, 31 Dec 2024 23:00:00 GMT", kWall) == milliseconds(0));
  CHECK(parse_retry_after("Wed, 01 Jan 2025 01:00:00 GMT", kWall) == milliseconds(3600000));
  // The obsolete forms RFC 9110 still has a recipient accept (RFC 850, asctime).
  CHECK(parse_retry_after("Wednesday, 01-Jan-25 01:00:00 GMT", kWall) == milliseconds(3600000));
  CHECK(parse_retry_after("Wed Jan  1 01:00:00 2025", kWall) == milliseconds(3600000));
  CHECK_FALSE(parse_retry_after("Wed, 01 Foo 2025 01:00:00 GMT", kWall).has_value());
  CHECK_FALSE(parse_retry_after("Wed, 01 Jan 2025 01:00:00 GMT and more", kWall).has_value());
  CHECK_FALSE(parse_retry_after("Wed, 01 Jan 2025 25:00:00 GMT", kWall).has_value());
  CHECK_FALSE(parse_retry_after("", kWall).has_value());
  CHECK_FALSE(parse_retry_after("-1", kWall).has_value());
  CHECK_FALSE(parse_retry_after("later", kWall).has_value());
}

TEST_CASE("rate limiter: category names", "[ratelimit]") {
  CHECK(category_from_name("error") == Category::kError);
  CHECK(category_from_name("log_item") == Category::kLogItem);
  CHECK_FALSE(category_from_name("all").has_value());  // "all" is the empty list, not a name
  CHECK_FALSE(category_from_name("Error").has_value());
  CHECK(category_name(Category::kMetricBucket) == "metric_bucket");
}
