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
  stats.spool_commits = 3;
  stats.spool_written_bytes = 4096;
  stats.spool_sync_micros = 1500;
  stats.transactions_rate_limited = 7;
  CHECK(registry.value("faultline_delivery_sent_total") == 5u);
  CHECK(registry.value("faultline_spool_files") == 2u);
  CHECK(registry.value("faultline_delivery_dropped_spool_full_total") == 1u);
  CHECK(registry.value("faultline_spool_commits_total") == 3u);
  CHECK(registry.value("faultline_spool_written_bytes_total") == 4096u);
  CHECK(registry.value("faultline_spool_sync_seconds_total") == 0.0015);
  CHECK(registry.value("faultline_transactions_dropped_rate_limited_total") == 7u);
  const std::string text = registry.prometheus();
  CHECK(text.find("# TYPE faultline_spool_bytes gauge") != std::string::npos);
  CHECK(text.find("# TYPE faultline_delivery_sent_total counter") != std::string::npos);
  CHECK(registry.size() == 19);
}
