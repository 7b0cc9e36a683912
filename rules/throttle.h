// The `throttle` action: at most `max` events per key per window; the rest are dropped and
// counted, and the next event of that key that passes carries the count as
// `extra.faultline_suppressed` (added to any count already there).
//
// Window semantics: a key's window opens at its first event and lasts `window`; the first event
// at or after its end opens the next window (fixed windows per key, not a sliding log, so memory
// is one small entry per key). The key is the rendered `by:` templates, else the event's
// fingerprint (as earlier rules left it), else view::group_key() (type + top in-app frame).
// At most `max_keys` keys are tracked per rule: when full, keys whose window has ended are
// forgotten first, then the oldest tenth.
//
// ThrottleAction is immutable configuration; ThrottleState is per RuleEngine, owned by the
// pipeline thread, not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "parsers/json.h"
#include "rules/template.h"

namespace faultline::rules {

inline constexpr std::string_view kSuppressedField = "faultline_suppressed";

struct ThrottleAction {
  uint64_t max = 1;
  std::chrono::milliseconds window{60'000};
  std::vector<Template> by;  // empty: fingerprint or group key
  size_t max_keys = 10'000;

  std::string key(const json::Value& event) const;
};

class ThrottleState {
 public:
  struct Decision {
    bool pass = true;
    uint64_t suppressed_before = 0;  // when passing: how many were dropped since the last pass
    uint64_t seen_in_window = 0;     // this event's position in its window (1-based)
  };

  Decision check(const ThrottleAction& action, const std::string& key, Clock::time_point now);
  size_t tracked() const { return entries_.size(); }

 private:
  struct Entry {
    Clock::time_point start;
    uint64_t count = 0;       // passed in the current window
    uint64_t suppressed = 0;  // dropped since the last pass
  };
  void make_room(const ThrottleAction& action, Clock::time_point now);
  std::unordered_map<std::string, Entry> entries_;
};

// Adds `n` to extra.faultline_suppressed (creating `extra` if needed).
void add_suppressed_count(json::Value& event, uint64_t n);

}  // namespace faultline::rules
