#include "agent/telemetry/health.h"

#include <catch2/catch.hpp>

using faultline::Health;
using namespace std::chrono_literals;

TEST_CASE("health: ready once the inputs are open, not while starting or stopping", "[health]") {
  Health health(5min, {});
  CHECK_FALSE(health.ready().ok);
  CHECK(health.ready().reason == "starting");
  health.set_ready(true);
  CHECK(health.ready().ok);
  health.set_stopping();
  CHECK_FALSE(health.ready().ok);
  CHECK(health.ready().reason == "stopping");
  CHECK_FALSE(health.healthy(std::chrono::steady_clock::now()).ok);
}

TEST_CASE("health: a sender with events waiting and none accepted is unhealthy after the threshold",
          "[health]") {
  Health::Progress progress{.sent = 10, .waiting = 0};
  Health health(1min, [&progress] { return progress; });
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  CHECK(health.healthy(t0).ok);  // nothing waits

  progress.waiting = 3;  // Sentry went away: events pile up, `sent` stays
  CHECK(health.healthy(t0 + 1s).ok);
  CHECK(health.healthy(t0 + 60s).ok);
  const Health::Answer down = health.healthy(t0 + 61s + 500ms);
  CHECK_FALSE(down.ok);
  CHECK(down.reason == "sender stalled: 3 events waiting, none accepted for 60 s");

  progress.sent = 11;  // one got through: healthy again at once, and the clock starts over
  CHECK(health.healthy(t0 + 62s).ok);
  CHECK(health.healthy(t0 + 100s).ok);  // the first probe to see no progress since
  CHECK(health.healthy(t0 + 159s).ok);
  CHECK_FALSE(health.healthy(t0 + 161s).ok);

  progress.waiting = 0;  // drained: nothing waits, nothing is late
  CHECK(health.healthy(t0 + 200s).ok);
}

TEST_CASE("health: without a sender, only stopping is unhealthy", "[health]") {
  Health health(1s, {});
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  CHECK(health.healthy(t0).ok);
  CHECK(health.healthy(t0 + 1h).ok);
}
