// Pino level names and numbers, and their Sentry severities.
//
// Pino's core levels are trace 10, debug 20, info 30, warn 40, error 50, fatal 60; apps add their
// own (customLevels) and GCP-style formatters write upper-case severities ("WARNING"). A
// LevelTable maps labels to numbers case-insensitively. Built at configuration time, then
// read-only and safe to share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

namespace pino_level {
inline constexpr int kTrace = 10;
inline constexpr int kDebug = 20;
inline constexpr int kInfo = 30;
inline constexpr int kWarn = 40;
inline constexpr int kError = 50;
inline constexpr int kFatal = 60;
}  // namespace pino_level

class LevelTable {
 public:
  // Pino's core labels plus the Cloud Logging severities (DEFAULT, NOTICE, WARNING, CRITICAL,
  // ALERT, EMERGENCY) that GCP-style formatters produce.
  LevelTable();

  // Adds or overrides a label (pino.levels in the config).
  void set(std::string_view label, int number);
  std::optional<int> number(std::string_view label) const;
  // The pino label of a number, or "" for a level with no label (useOnlyCustomLevels).
  std::string_view label(int number) const;

 private:
  struct Entry {
    std::string label;  // lower case
    int number;
  };
  std::vector<Entry> entries_;
};

// Sentry's level for a pino number: ≥60 fatal, ≥50 error, ≥40 warning, ≥30 info, else debug.
// Custom levels between core ones take the level below them (audit 35 → info).
std::string_view sentry_level(int pino_number);

}  // namespace faultline
