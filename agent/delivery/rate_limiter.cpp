#include "agent/delivery/rate_limiter.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

namespace faultline::delivery {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Category::kCount_)> kNames = {
    "all",      "default",  "error",         "transaction", "security", "attachment",
    "session",  "profile",  "profile_chunk", "replay",      "monitor",  "span",
    "log_item", "log_byte", "metric_bucket", "feedback",    "internal",
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Seconds as an unsigned integer or decimal ("60", "60.5"); nullopt for anything else.
std::optional<double> parse_seconds(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 32) return std::nullopt;
  double whole = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) whole = whole * 10 + (s[i] - '0');
  if (i == 0) return std::nullopt;
  if (i < s.size()) {
    if (s[i] != '.') return std::nullopt;
    double scale = 0.1;
    for (++i; i < s.size(); ++i, scale /= 10) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      whole += (s[i] - '0') * scale;
    }
  }
  return whole;
}

// An HTTP date in any of the three forms RFC 9110 (5.6.7) has a recipient accept:
//   Sun, 06 Nov 1994 08:49:37 GMT    IMF-fixdate
//   Sunday, 06-Nov-94 08:49:37 GMT   obsolete RFC 850 (a two-digit year from 1970 to 2069)
//   Sun Nov  6 08:49:37 1994         obsolete asctime
// nullopt for anything else. The weekday is not checked, as curl does not check it either.
std::optional<time_t> parse_http_date(const std::string& text) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  char month[4] = {0};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, end = 0;
  const char* s = text.c_str();
  const bool parsed = (std::sscanf(s, "%*3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", &day,
                                   month, &year, &hour, &minute, &second, &end) == 6 ||
                       std::sscanf(s, "%*[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", &day,
                                   month, &year, &hour, &minute, &second, &end) == 6 ||
                       std::sscanf(s, "%*3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", month, &day,
                                   &hour, &minute, &second, &year, &end) == 6) &&
                      static_cast<size_t>(end) == text.size();
  const size_t m = parsed ? kMonths.find(month) : std::string_view::npos;
  if (m == std::string_view::npos || m % 3 != 0 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60 || year < 0) {
    return std::nullopt;
  }
  if (year < 100) year += year < 70 ? 2000 : 1900;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = static_cast<int>(m / 3);
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return timegm(&tm);
}

std::chrono::milliseconds capped(double seconds) {
  const double cap = std::chrono::duration<double>(RateLimiter::kMaxLimit).count();
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(std::min(seconds, cap) * 1000)));
}

}  // namespace

std::optional<Category> category_from_name(std::string_view name) {
  for (size_t i = 1; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Category>(i);
  }
  return std::nullopt;
}

std::string_view category_name(Category category) {
  return kNames[static_cast<size_t>(category)];
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point wall_now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::optional<double> seconds = parse_seconds(value)) return capped(*seconds);
  const std::optional<time_t> when = parse_http_date(std::string(value));
  if (!when) return std::nullopt;
  const auto delta = std::chrono::system_clock::from_time_t(*when) - wall_now;
  if (delta <= decltype(delta)::zero()) return std::chrono::milliseconds(0);
  return capped(std::chrono::duration<double>(delta).count());
}

bool RateLimiter::limit(Category category, time_point until) {
  time_point& slot = until_[static_cast<size_t>(category)];
  if (until <= slot) return false;
  slot = until;
  return true;
}

bool RateLimiter::apply_rate_limits_header(std::string_view header, time_point now) {
  bool limited = false;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view entry = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (entry.empty()) continue;

    const size_t colon = entry.find(':');
    if (colon == std::string_view::npos) continue;  // no categories field: malformed
    const std::optional<double> seconds = parse_seconds(entry.substr(0, colon));
    if (!seconds) continue;
    std::string_view categories = entry.substr(colon + 1);
    categories = trim(categories.substr(0, categories.find(':')));
    const time_point until = now + capped(*seconds);

    if (categories.empty()) {
      limited |= limit(Category::kAll, until);
      continue;
    }
    while (!categories.empty()) {
      const size_t semi = categories.find(';');
      const std::string_view name = trim(categories.substr(0, semi));
      categories =
          semi == std::string_view::npos ? std::string_view() : categories.substr(semi + 1);
      if (std::optional<Category> category = category_from_name(name)) {
        limited |= limit(*category, until);
      }
    }
  }
  return limited;
}

bool RateLimiter::update(int status, std::string_view retry_after, std::string_view rate_limits,
                         Category sent, time_point now,
                         std::chrono::system_clock::time_point wall_now) {
  bool limited = false;
  if (!trim(rate_limits).empty()) limited = apply_rate_limits_header(rate_limits, now);
  if (status != 429) return limited;

  const std::chrono::milliseconds wait =
      parse_retry_after(retry_after, wall_now).value_or(kDefaultRetryAfter);
  if (trim(rate_limits).empty()) return limit(Category::kAll, now + wait) || limited;
  if (!is_limited(sent, now)) limited |= limit(sent, now + wait);
  return limited;
}

RateLimiter::time_point RateLimiter::limited_until(Category category) const {
  return std::max(until_[static_cast<size_t>(Category::kAll)],
                  until_[static_cast<size_t>(category)]);
}

}  // namespace faultline::delivery
