#include "base/clock.h"

namespace faultline {
namespace {

class RealClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() const override {
    return std::chrono::system_clock::now();
  }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  time_point deadline) override {
    if (deadline == time_point::max()) {
      cv.wait(lock);
    } else {
      cv.wait_until(lock, deadline);
    }
  }
};

}  // namespace

int64_t wall_us(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock.wall_now().time_since_epoch())
      .count();
}

Clock& real_clock() {
  static RealClock clock;
  return clock;
}

FakeClock::FakeClock()
    : now_(time_point() + std::chrono::hours(1000)),
      wall_(std::chrono::system_clock::time_point(std::chrono::seconds(1735689600))) {}

Clock::time_point FakeClock::now() const {
  std::lock_guard<std::mutex> g(mu_);
  return now_;
}

std::chrono::system_clock::time_point FakeClock::wall_now() const {
  std::lock_guard<std::mutex> g(mu_);
  return wall_;
}

void FakeClock::wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                           time_point deadline) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (now_ >= deadline) return;
    ++deadlines_[deadline];
  }
  recorded_.notify_all();
  cv.wait_for(lock, std::chrono::milliseconds(1));
}

void FakeClock::advance(std::chrono::nanoseconds by) {
  std::lock_guard<std::mutex> g(mu_);
  now_ += by;
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(by);
  deadlines_.clear();
}

void FakeClock::set_wall_now(std::chrono::system_clock::time_point wall) {
  std::lock_guard<std::mutex> g(mu_);
  wall_ = wall;
}

bool FakeClock::await_sleeper(time_point deadline, std::chrono::milliseconds timeout) {
  return await_sleeper_between(deadline, deadline, timeout) == deadline;
}

Clock::time_point FakeClock::await_sleeper_between(time_point from, time_point to,
                                                   std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  time_point found = time_point::max();
  recorded_.wait_for(lock, timeout, [&] {
    auto it = deadlines_.lower_bound(from);
    if (it == deadlines_.end() || it->first > to) return false;
    found = it->first;
    return true;
  });
  return found;
}

}  // namespace faultline
