// Per-category send deadlines learned from Sentry's responses, following the SDK rate-limiting
// protocol (sentry-native's sentry_ratelimiter.c is the model):
//
//   - `X-Sentry-Rate-Limits` (on any response, 2xx included) wins when present:
//       limit = retry_after ":" categories ":" scope [":" reason [":" namespaces]]
//     limits separated by ",", spaces ignored, retry_after in seconds (integer or decimal),
//     categories ";"-separated, empty = all. Limits naming only unknown categories are ignored.
//   - otherwise, on a 429, `Retry-After` (delta seconds or an HTTP date) limits all categories;
//   - otherwise a 429 limits all categories for 60 s.
//   - If a 429's headers leave the category that was sent unlimited, that category is limited by
//     Retry-After (or 60 s) anyway, so a 429 is never followed by an immediate resend.
// Overlapping limits keep the later deadline. Every limit is capped at 24 h, so a garbage header
// cannot stop delivery for longer than a day.
//
// faultline sends `event` items (category `error`) and `transaction` items (category
// `transaction`, item_kind.h); each is blocked while its own or the all-categories limit runs.
// Not thread-safe: the sender guards it with its lock.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string_view>

#include "base/clock.h"

namespace faultline::delivery {

enum class Category : uint8_t {
  kAll,  // the "all categories" limit (empty category list, or a 429 without the header)
  kDefault,
  kError,
  kTransaction,
  kSecurity,
  kAttachment,
  kSession,
  kProfile,
  kProfileChunk,
  kReplay,
  kMonitor,
  kSpan,
  kLogItem,
  kLogByte,
  kMetricBucket,
  kFeedback,
  kInternal,
  kCount_,
};

// "error" → kError, …; nullopt for names this limiter does not know.
std::optional<Category> category_from_name(std::string_view name);
std::string_view category_name(Category category);  // kAll → "all"

// Retry-After as a duration: delta seconds ("120", leniently "1.5") or an HTTP date, relative to
// `wall_now` (a date in the past is 0). nullopt when the value is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point wall_now);

class RateLimiter {
 public:
  using time_point = Clock::time_point;
  static constexpr std::chrono::seconds kDefaultRetryAfter{60};
  static constexpr std::chrono::hours kMaxLimit{24};

  // Learns from one complete HTTP response to a send of `sent` items. `retry_after` and
  // `rate_limits` are the raw header values ("" when absent). Returns true when the response set
  // or extended any limit.
  bool update(int status, std::string_view retry_after, std::string_view rate_limits, Category sent,
              time_point now, std::chrono::system_clock::time_point wall_now);

  // Applies an X-Sentry-Rate-Limits value; true when it limited at least one known category.
  bool apply_rate_limits_header(std::string_view header, time_point now);

  // The instant until which sending `category` is blocked: the later of its own limit and the
  // all-categories limit. time_point::min() when it was never limited.
  time_point limited_until(Category category) const;
  bool is_limited(Category category, time_point now) const { return limited_until(category) > now; }

 private:
  bool limit(Category category, time_point until);

  std::array<time_point, static_cast<size_t>(Category::kCount_)> until_ = [] {
    std::array<time_point, static_cast<size_t>(Category::kCount_)> a;
    a.fill(time_point::min());
    return a;
  }();
};

}  // namespace faultline::delivery
