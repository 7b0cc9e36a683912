#include "agent/telemetry/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "parsers/json.h"

namespace faultline::log {

namespace {

std::atomic<Level> g_min{Level::kInfo};
std::atomic<bool> g_json{::isatty(STDERR_FILENO) == 0};
std::mutex g_write_mu;

std::string_view name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void configure(Level min_level, bool json) {
  g_min = min_level;
  g_json = json;
}

bool json_format(std::string_view format) {
  if (format == "json") return true;
  if (format == "text") return false;
  return ::isatty(STDERR_FILENO) == 0;
}

bool parse_level(std::string_view n, Level& out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (name(l) == n) {
      out = l;
      return true;
    }
  }
  return false;
}

bool enabled(Level level) {
  return level >= g_min.load();
}

void write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  std::string line;
  if (g_json) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char stamp[40];
    const size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(millis));
    json::Object o;
    o.set("time", stamp);
    o.set("level", name(level));
    o.set("msg", message);
    line = json::to_string(json::Value(std::move(o)));
  } else {
    line = "faultline: ";
    line += name(level);
    line += ": ";
    line += message;
  }
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(g_write_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

bool LogLimiter::admit(uint64_t& held) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (any_ && now - last_ < interval_) {
    ++suppressed_;
    return false;
  }
  any_ = true;
  last_ = now;
  held = suppressed_;
  suppressed_ = 0;
  return true;
}

void LogLimiter::emit(Level level, std::string_view message, uint64_t held) {
  if (held == 0) {
    log::write(level, message);
  } else {
    log::write(level, std::string(message) + " (and " + std::to_string(held) +
                          " more like it since the last report)");
  }
}

void LogLimiter::write(Level level, std::string_view message) {
  uint64_t held = 0;
  if (admit(held)) emit(level, message, held);
}

}  // namespace faultline::log
