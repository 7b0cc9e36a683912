#include "rules/throttle.h"

#include <algorithm>

#include "rules/event_view.h"

namespace faultline::rules {

std::string ThrottleAction::key(const json::Value& event) const {
  if (by.empty()) return view::group_key(event);
  std::string k;
  for (const Template& t : by) {
    k += t.render(event);
    k += '\x1f';
  }
  return k;
}

void ThrottleState::make_room(const ThrottleAction& action, Clock::time_point now) {
  if (entries_.size() < action.max_keys) return;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now - it->second.start >= action.window) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  if (entries_.size() < action.max_keys) return;
  std::vector<Clock::time_point> starts;
  starts.reserve(entries_.size());
  for (const auto& [k, e] : entries_) starts.push_back(e.start);
  size_t n = std::max<size_t>(1, entries_.size() / 10);
  std::nth_element(starts.begin(), starts.begin() + static_cast<std::ptrdiff_t>(n - 1),
                   starts.end());
  const Clock::time_point cutoff = starts[n - 1];
  for (auto it = entries_.begin(); it != entries_.end() && n > 0;) {
    if (it->second.start <= cutoff) {
      it = entries_.erase(it);
      --n;
    } else {
      ++it;
    }
  }
}

ThrottleState::Decision ThrottleState::check(const ThrottleAction& action, const std::string& key,
                                             Clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    make_room(action, now);
    entries_.emplace(key, Entry{now, 1, 0});
    return Decision{true, 0, 1};
  }
  Entry& e = it->second;
  if (now - e.start >= action.window) {
    e.start = now;
    e.count = 0;
  }
  if (e.count < action.max) {
    ++e.count;
    Decision d{true, e.suppressed, e.count};
    e.suppressed = 0;
    return d;
  }
  ++e.suppressed;
  return Decision{false, 0, e.count + e.suppressed};
}

void add_suppressed_count(json::Value& event, uint64_t n) {
  if (!event.is_object() || n == 0) return;
  json::Value& extra = event.as_object()["extra"];
  if (!extra.is_object()) extra = json::Object();
  json::Value& field = extra.as_object()[kSuppressedField];
  int64_t before = field.is_int() ? field.as_int() : 0;
  field = json::Value(before + static_cast<int64_t>(n));
}

}  // namespace faultline::rules
