// The one metrics registry: values read live by name, and Prometheus text for every metric.
#include <catch2/catch.hpp>

#include <atomic>

#include "base/metrics.h"

using faultline::Counter;
using faultline::Registry;

TEST_CASE("metrics: a registry reads counters and gauges live, by name", "[metrics]") {
  Counter lines;
  std::atomic<uint64_t> spool_files{0};
  Registry r;
  r.add_counter("faultline_lines_total", "Lines read.", lines);
  r.add_gauge("faultline_spool_files", "Events waiting.", spool_files);
  lines.add(3);
  spool_files = 7;
  CHECK(r.value("faultline_lines_total") == 3u);
  CHECK(r.value("faultline_spool_files") == 7u);
  CHECK_FALSE(r.value("faultline_nothing").has_value());
  CHECK(r.size() == 2);
}

TEST_CASE("metrics: Prometheus text has HELP, TYPE and the value of each metric", "[metrics]") {
  Counter events;
  std::atomic<uint64_t> bytes{42};
  Registry r;
  r.add_counter("faultline_events_total", "Events emitted.", events);
  r.add_gauge("faultline_spool_bytes", "Spool bytes.", bytes);
  events.add();
  CHECK(r.prometheus() ==
        "# HELP faultline_events_total Events emitted.\n"
        "# TYPE faultline_events_total counter\n"
        "faultline_events_total 1\n"
        "# HELP faultline_spool_bytes Spool bytes.\n"
        "# TYPE faultline_spool_bytes gauge\n"
        "faultline_spool_bytes 42\n");
}

TEST_CASE("metrics: an info gauge is 1 and carries its labels", "[metrics]") {
  Registry r;
  r.add_info("faultline_build_info", "Version.", R"(version="1.2.3",revision="abc")");
  CHECK(r.value("faultline_build_info") == 1);
  CHECK(r.prometheus() ==
        "# HELP faultline_build_info Version.\n"
        "# TYPE faultline_build_info gauge\n"
        "faultline_build_info{version=\"1.2.3\",revision=\"abc\"} 1\n");
}
