// Delivery's counters reach the run's one registry under Prometheus names.
#include <catch2/catch.hpp>

#include "agent/delivery/stats_metrics.h"

TEST_CASE("delivery metrics: every counter and gauge is registered and read live",
          "[delivery][metrics]") {
  faultline::delivery::Stats stats;
  faultline::Registry registry;
  faultline::delivery::register_stats(stats, registry);
  stats.sent = 5;
  stats.spool_files = 2;
  stats.dropped_spool_full = 1;
  CHECK(registry.value("faultline_delivery_sent_total") == 5u);
  CHECK(registry.value("faultline_spool_files") == 2u);
  CHECK(registry.value("faultline_delivery_dropped_spool_full_total") == 1u);
  const std::string text = registry.prometheus();
  CHECK(text.find("# TYPE faultline_spool_bytes gauge") != std::string::npos);
  CHECK(text.find("# TYPE faultline_delivery_sent_total counter") != std::string::npos);
  CHECK(registry.size() == 14);
}
