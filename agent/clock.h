// Wall-clock time behind a seam, so hold windows and TTLs are tested without sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace faultline {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch.
  virtual int64_t now_us() = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_us() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that moves only when told to. Not thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_us = 1'700'000'000'000'000) : now_(start_us) {}
  int64_t now_us() override { return now_; }
  void advance_ms(int64_t ms) { now_ += ms * 1000; }
  void set_us(int64_t us) { now_ = us; }

 private:
  int64_t now_;
};

}  // namespace faultline
