// The clock of `replay`'s rule engine: time as the records tell it, the newest record time seen,
// so that a throttle window of a minute is a minute of the log, not of reading it, and a replay
// gives the same events however fast it reads. Owned and moved by the pipeline; thread-safe like
// every Clock.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "base/clock.h"

namespace faultline {

class RecordClock final : public Clock {
 public:
  // A record's time (µs since the epoch); older times and nullopt leave the clock where it is.
  void observe(std::optional<int64_t> time_us);

  // Both are the newest record time: 0 (the epoch) until a record has a time.
  time_point now() const override;
  std::chrono::system_clock::time_point wall_now() const override;
  // Record time does not pass while a thread waits: returns at once (callers re-check in a loop;
  // nothing on the pipeline thread waits on it).
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  time_point deadline) override;

 private:
  std::atomic<int64_t> now_us_{0};
};

}  // namespace faultline
