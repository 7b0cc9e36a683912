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
  // While set, the clock reads `time_us` instead of the newest record time: an event held back
  // (event_pairing.h) meets the rules as of the time it was built. nullopt lets go.
  void pin(std::optional<int64_t> time_us);

  // Both are the newest record time: 0 (the epoch) until a record has a time.
  time_point now() const override;
  std::chrono::system_clock::time_point wall_now() const override;
  // Record time does not pass while a thread waits: returns at once (callers re-check in a loop;
  // nothing on the pipeline thread waits on it).
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  time_point deadline) override;

  // The newest record time (or the pinned one), µs since the epoch.
  int64_t current_us() const;

 private:
  std::atomic<int64_t> now_us_{0};
  std::atomic<int64_t> pinned_us_{-1};  // -1: not pinned
};

}  // namespace faultline
