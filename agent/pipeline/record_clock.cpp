#include "agent/pipeline/record_clock.h"

#include <algorithm>
#include <limits>

namespace faultline {

void RecordClock::observe(std::optional<int64_t> time_us) {
  if (!time_us) return;
  // Kept within what steady_clock's nanoseconds can hold (year 2262).
  const int64_t t = std::min(*time_us, std::numeric_limits<int64_t>::max() / 1000);
  if (t > now_us_.load(std::memory_order_relaxed)) now_us_.store(t, std::memory_order_relaxed);
}

void RecordClock::pin(std::optional<int64_t> time_us) {
  pinned_us_.store(time_us ? std::max<int64_t>(*time_us, 0) : -1, std::memory_order_relaxed);
}

Clock::time_point RecordClock::now() const {
  return time_point(std::chrono::microseconds(current_us()));
}

std::chrono::system_clock::time_point RecordClock::wall_now() const {
  return std::chrono::system_clock::time_point(std::chrono::microseconds(current_us()));
}

int64_t RecordClock::current_us() const {
  const int64_t pinned = pinned_us_.load(std::memory_order_relaxed);
  return pinned >= 0 ? pinned : now_us_.load(std::memory_order_relaxed);
}

void RecordClock::wait_until(std::unique_lock<std::mutex>&, std::condition_variable&, time_point) {}

}  // namespace faultline
