// Time behind a seam, so that hold windows, throttle windows, rate limits, backoff and log
// throttling are tested without sleeping (LevelDB's Env idea, reduced to time). The one clock of
// every layer: the pipeline, the rule engine and delivery each take a `Clock&` that outlives them.
//
// now() is monotonic and drives every deadline and window. wall_now() is calendar time, used only
// where a time leaves or enters the process: the correlator's comparison with record times, the
// envelope's `sent_at`, a Retry-After given as an HTTP date. wait_until() is how a thread sleeps:
// call it with `lock` held on the mutex that guards whatever `cv` is notified about; it may return
// early (spuriously, or because `cv` was notified), so callers re-check their condition in a loop.
//
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>

#include "base/thread_annotations.h"

namespace faultline {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual time_point now() const = 0;
  virtual std::chrono::system_clock::time_point wall_now() const = 0;
  // `deadline == time_point::max()` means "until notified".
  virtual void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                          time_point deadline) = 0;
};

// Wall time as microseconds since the Unix epoch (what the correlator and the release watcher
// count in).
int64_t wall_us(const Clock& clock);

// The process's real clocks (steady_clock, system_clock). Lives for the whole program.
Clock& real_clock();

// A clock that moves only when a test tells it to. Thread-safe: a test thread may advance it while
// sender threads wait on it. Its wait_until() never sleeps past a short real-time poll (1 ms), so
// a waiting thread re-checks the fake time promptly; it also records each deadline it was asked to
// wait for, so a test can observe that a thread is idle until a given fake instant — and therefore
// is not working — without sleeping itself.
class FakeClock final : public Clock {
 public:
  // Starts at an arbitrary steady instant and at wall time 2025-01-01T00:00:00Z.
  FakeClock();
  FakeClock(const FakeClock&) = delete;
  FakeClock& operator=(const FakeClock&) = delete;

  time_point now() const override;
  std::chrono::system_clock::time_point wall_now() const override;
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  time_point deadline) override;

  // Moves both clocks forward by `by` and forgets the recorded deadlines.
  void advance(std::chrono::nanoseconds by);
  // Sets the wall clock alone, forwards or backwards (a host whose calendar time is off or is
  // stepped); monotonic time and the recorded deadlines are untouched.
  void set_wall_now(std::chrono::system_clock::time_point wall);

  // Blocks (in real time, at most `timeout`) until some thread has called wait_until() with
  // exactly `deadline` since the last advance(). False on timeout.
  bool await_sleeper(time_point deadline,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The same for any deadline in [from, to] (inclusive); returns the earliest one seen, or
  // time_point::max() on timeout.
  time_point await_sleeper_between(time_point from, time_point to,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  mutable std::mutex mu_;
  std::condition_variable recorded_;  // notified when a deadline is recorded
  time_point now_ GUARDED_BY(mu_);
  std::chrono::system_clock::time_point wall_ GUARDED_BY(mu_);
  std::map<time_point, int> deadlines_ GUARDED_BY(mu_);  // deadline → wait_until() calls
};

}  // namespace faultline
