// faultline's own log, on stderr (where systemd's journal and container runtimes collect it).
//
// Secrets never go through here: callers log DSNs in their redacted form and never log record
// values. `LogLimiter` keeps a noisy condition (a bad line every millisecond) to one line per
// interval, saying how many were suppressed. Thread-safe: lines are written whole under a mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace faultline::log {

enum class Level : uint8_t { kDebug, kInfo, kWarn, kError };

// Defaults: info, and the format "auto" gives. `json` writes {"time","level","msg"} objects, one
// per line, time in UTC with milliseconds.
void configure(Level min_level, bool json);
// Whether `log.format` means JSON: "json", or "auto" (the default) when stderr is not a terminal:
// a person reads a terminal; the journal, a container runtime or a log shipper reads the rest.
bool json_format(std::string_view format);
bool parse_level(std::string_view name, Level& out);
bool enabled(Level level);
void write(Level level, std::string_view message);

inline void debug(std::string_view m) {
  write(Level::kDebug, m);
}
inline void info(std::string_view m) {
  write(Level::kInfo, m);
}
inline void warn(std::string_view m) {
  write(Level::kWarn, m);
}
inline void error(std::string_view m) {
  write(Level::kError, m);
}

// At most one line per `interval`; the next line that passes says how many were held back.
class LogLimiter {
 public:
  explicit LogLimiter(std::chrono::milliseconds interval = std::chrono::seconds(10))
      : interval_(interval) {}
  void write(Level level, std::string_view message);
  // The same, but the message is only built when it will be written: `make()` returns it. For
  // conditions that can repeat on every line, where building the text would be the cost.
  template <class MakeMessage>
  void write_with(Level level, MakeMessage&& make) {
    uint64_t held = 0;
    if (admit(held)) emit(level, make(), held);
  }

 private:
  bool admit(uint64_t& held);
  static void emit(Level level, std::string_view message, uint64_t held);

  std::mutex mu_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_{};  // guarded by mu_
  uint64_t suppressed_ = 0;                       // guarded by mu_
  bool any_ = false;                              // guarded by mu_
};

}  // namespace faultline::log
