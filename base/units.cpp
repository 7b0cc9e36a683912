#include "base/units.h"

#include <cmath>

namespace faultline {

namespace {

// Splits "1.5MiB" into 1.5 and "MiB". Fails on an empty or malformed number.
bool split_number(std::string_view text, double& number, std::string_view& unit) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  size_t i = 0;
  bool digit_seen = false;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) {
    digit_seen = digit_seen || text[i] != '.';
    ++i;
  }
  if (!digit_seen) return false;
  const std::string num(text.substr(0, i));
  char* end = nullptr;
  number = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size() || !std::isfinite(number)) return false;
  unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  double n;
  std::string_view unit;
  if (!split_number(text, n, unit)) return std::nullopt;
  double ms;
  if (unit == "ms") {
    ms = n;
  } else if (unit == "s") {
    ms = n * 1000;
  } else if (unit == "m" || unit == "min") {
    ms = n * 60'000;
  } else if (unit == "h") {
    ms = n * 3'600'000;
  } else if (unit == "d") {
    ms = n * 86'400'000;
  } else if (unit.empty() && n == 0) {
    ms = 0;
  } else {
    return std::nullopt;
  }
  if (ms > 1e15) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(ms)));
}

std::string duration_hint(std::string_view text) {
  double n;
  std::string_view unit;
  if (!split_number(text, n, unit) || !unit.empty()) return "";
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  const std::string number(text);
  return "write " + number + "s or " + number + "ms";
}

std::string format_duration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::optional<uint64_t> parse_size(std::string_view text) {
  double n;
  std::string_view unit;
  if (!split_number(text, n, unit)) return std::nullopt;
  double factor;
  if (unit.empty() || unit == "B") {
    factor = 1;
  } else if (unit == "KB") {
    factor = 1e3;
  } else if (unit == "MB") {
    factor = 1e6;
  } else if (unit == "GB") {
    factor = 1e9;
  } else if (unit == "KiB" || unit == "K" || unit == "k") {
    factor = 1024.0;
  } else if (unit == "MiB" || unit == "M") {
    factor = 1024.0 * 1024;
  } else if (unit == "GiB" || unit == "G") {
    factor = 1024.0 * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  // Rounded in double and converted directly: llround() stops at INT64_MAX, a uint64 does not.
  const double bytes = std::round(n * factor);
  if (!(bytes < 18446744073709551616.0)) return std::nullopt;  // 2^64
  return static_cast<uint64_t>(bytes);
}

std::string format_size(uint64_t bytes) {
  constexpr uint64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  if (bytes != 0 && bytes % kGiB == 0) return std::to_string(bytes / kGiB) + "GiB";
  if (bytes != 0 && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + "MiB";
  if (bytes != 0 && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + "KiB";
  return std::to_string(bytes) + "B";
}

}  // namespace faultline
