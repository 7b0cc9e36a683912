// Time for the rule engine, behind a seam so that throttle windows are tested without sleeping.
//
// Only monotonic time is needed: a throttle window is "at most N events per key in the last
// window since the key's first event", measured on the pipeline's clock. The agent adapts its own
// clock to this interface (rules/ does not include agent/). Implementations must be usable from
// the thread that owns the RuleEngine; FakeClock is not thread-safe.
#pragma once

#include <chrono>

namespace faultline::rules {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

// std::chrono::steady_clock.
class SteadyClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
};

// A clock that moves only when a test calls advance().
class FakeClock final : public Clock {
 public:
  time_point now() const override { return now_; }
  void advance(std::chrono::nanoseconds by) { now_ += by; }

 private:
  time_point now_{std::chrono::hours(1)};
};

}  // namespace faultline::rules
