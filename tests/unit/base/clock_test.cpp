// The one clock seam: the fake every layer's tests step through, and the real clock behind it.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/clock.h"

using faultline::Clock;
using faultline::FakeClock;
using faultline::real_clock;
using faultline::wall_us;
using namespace std::chrono_literals;

namespace {

constexpr int64_t k20250101Us = 1'735'689'600'000'000;

}  // namespace

TEST_CASE("clock: the fake starts at 2025-01-01 and advance() moves both clocks", "[clock]") {
  FakeClock clock;
  const Clock::time_point start = clock.now();
  CHECK(wall_us(clock) == k20250101Us);

  clock.advance(1500ms);
  CHECK(clock.now() - start == 1500ms);
  CHECK(wall_us(clock) == k20250101Us + 1'500'000);
  CHECK(clock.wall_now() -
            std::chrono::system_clock::time_point(std::chrono::seconds(1735689600)) ==
        1500ms);
}

TEST_CASE("clock: set_wall_now() steps the wall clock alone, either way", "[clock]") {
  FakeClock clock;
  const Clock::time_point start = clock.now();
  const auto earlier = std::chrono::system_clock::time_point(std::chrono::seconds(1'600'000'000));
  clock.set_wall_now(earlier);
  CHECK(clock.wall_now() == earlier);
  CHECK(wall_us(clock) == 1'600'000'000'000'000);
  CHECK(clock.now() == start);

  clock.advance(2s);  // advancing afterwards moves the stepped wall time on
  CHECK(clock.wall_now() == earlier + 2s);
  CHECK(clock.now() == start + 2s);
}

TEST_CASE("clock: the fake records the deadlines it is asked to wait for", "[clock]") {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  const Clock::time_point t0 = clock.now();

  {
    // A deadline already reached returns at once and is not recorded.
    std::unique_lock<std::mutex> lock(mu);
    clock.wait_until(lock, cv, t0);
  }
  CHECK_FALSE(clock.await_sleeper(t0, 20ms));

  {
    std::unique_lock<std::mutex> lock(mu);
    clock.wait_until(lock, cv, t0 + 7s);
    clock.wait_until(lock, cv, t0 + 3s);
  }
  CHECK(clock.await_sleeper(t0 + 7s, 20ms));
  CHECK_FALSE(clock.await_sleeper(t0 + 5s, 20ms));
  CHECK(clock.await_sleeper_between(t0 + 1s, t0 + 10s, 20ms) == t0 + 3s);
  CHECK(clock.await_sleeper_between(t0 + 4s, t0 + 10s, 20ms) == t0 + 7s);
  CHECK(clock.await_sleeper_between(t0 + 8s, t0 + 10s, 20ms) == Clock::time_point::max());

  clock.set_wall_now(clock.wall_now() + 1h);  // wall time is not what deadlines are measured in
  CHECK(clock.await_sleeper(t0 + 3s, 20ms));

  clock.advance(1s);  // forgets what was recorded
  CHECK_FALSE(clock.await_sleeper(t0 + 3s, 20ms));
}

TEST_CASE("clock: a thread waiting on the fake wakes once advance() passes its deadline",
          "[clock]") {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  const Clock::time_point deadline = clock.now() + 30s;
  std::atomic<bool> woke{false};

  std::thread sleeper([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (clock.now() < deadline) clock.wait_until(lock, cv, deadline);
    woke = true;
  });
  REQUIRE(clock.await_sleeper(deadline));
  clock.advance(29s);
  REQUIRE(clock.await_sleeper(deadline));  // still asleep, waiting for the same instant
  CHECK_FALSE(woke.load());
  clock.advance(1s);
  sleeper.join();
  CHECK(woke.load());
}

TEST_CASE("clock: the real clock is the process's steady and system clocks", "[clock]") {
  Clock& clock = real_clock();
  CHECK(&clock == &real_clock());

  const auto steady_before = std::chrono::steady_clock::now();
  const auto wall_before = std::chrono::system_clock::now();
  const Clock::time_point now = clock.now();
  const auto wall = clock.wall_now();
  const int64_t us = wall_us(clock);
  CHECK(now >= steady_before);
  CHECK(now <= std::chrono::steady_clock::now());
  CHECK(wall - wall_before >= -1s);  // a wall clock may step, but not by much within a test
  CHECK(wall - wall_before <= 1s);
  const int64_t before_us =
      std::chrono::duration_cast<std::chrono::microseconds>(wall_before.time_since_epoch()).count();
  CHECK(us - before_us >= -1'000'000);
  CHECK(us - before_us <= 1'000'000);

  // wait_until() sleeps in real time until the deadline when nothing notifies.
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  const Clock::time_point deadline = clock.now() + 20ms;
  while (clock.now() < deadline) clock.wait_until(lock, cv, deadline);
  CHECK(clock.now() >= deadline);
}
