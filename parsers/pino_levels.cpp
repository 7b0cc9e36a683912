#include "parsers/pino_levels.h"

namespace faultline {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

}  // namespace

LevelTable::LevelTable() {
  using namespace pino_level;
  entries_ = {{"trace", kTrace},  {"debug", kDebug},    {"info", kInfo},    {"warn", kWarn},
              {"error", kError},  {"fatal", kFatal},    {"warning", kWarn}, {"notice", kInfo},
              {"default", kInfo}, {"critical", kFatal}, {"alert", kFatal},  {"emergency", kFatal},
              {"err", kError},    {"crit", kFatal},     {"emerg", kFatal}};
}

void LevelTable::set(std::string_view label, int number) {
  std::string lower(label);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (Entry& e : entries_) {
    if (e.label == lower) {
      e.number = number;
      return;
    }
  }
  // Custom labels go first so that label(number) finds them before the built-in aliases.
  entries_.insert(entries_.begin(), Entry{std::move(lower), number});
}

std::optional<int> LevelTable::number(std::string_view label) const {
  for (const Entry& e : entries_) {
    if (iequals(label, e.label)) return e.number;
  }
  return std::nullopt;
}

std::string_view LevelTable::label(int number) const {
  for (const Entry& e : entries_) {
    if (e.number == number) return e.label;
  }
  return {};
}

std::string_view sentry_level(int n) {
  if (n >= pino_level::kFatal) return "fatal";
  if (n >= pino_level::kError) return "error";
  if (n >= pino_level::kWarn) return "warning";
  if (n >= pino_level::kInfo) return "info";
  return "debug";
}

}  // namespace faultline
