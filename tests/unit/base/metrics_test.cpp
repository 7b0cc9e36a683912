// The one metrics registry: values read live by name, and Prometheus text for every metric.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <vector>

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

TEST_CASE("metrics: series of one name print as one family, and value() is their sum",
          "[metrics]") {
  Counter a, b;
  Counter other;
  Registry r;
  r.add_counter("faultline_input_lines_total", "Lines per input.", a,
                Registry::label("input", "/var/log/app/*.log"));
  r.add_counter("faultline_other_total", "Other.", other);
  r.add_counter("faultline_input_lines_total", "Lines per input.", b,
                Registry::label("input", "stdin"));
  a.add(2);
  b.add(5);
  CHECK(r.value("faultline_input_lines_total") == 7.0);
  CHECK(r.prometheus() ==
        "# HELP faultline_input_lines_total Lines per input.\n"
        "# TYPE faultline_input_lines_total counter\n"
        "faultline_input_lines_total{input=\"/var/log/app/*.log\"} 2\n"
        "faultline_input_lines_total{input=\"stdin\"} 5\n"
        "# HELP faultline_other_total Other.\n"
        "# TYPE faultline_other_total counter\n"
        "faultline_other_total 0\n");
}

TEST_CASE("metrics: label values are escaped as the text format requires", "[metrics]") {
  CHECK(Registry::label("file", "a\"b\\c\nd") == R"(file="a\"b\\c\nd")");
}

TEST_CASE("metrics: a family lists its series when read, and may have none", "[metrics]") {
  std::vector<Registry::Sample> now;
  Registry r;
  r.add_family("faultline_checkpoint_lag_bytes", "Lag.", Registry::Type::kGauge,
               [&now](std::vector<Registry::Sample>& out) {
                 out.insert(out.end(), now.begin(), now.end());
               });
  CHECK(r.value("faultline_checkpoint_lag_bytes") == 0.0);
  CHECK(r.prometheus() ==
        "# HELP faultline_checkpoint_lag_bytes Lag.\n"
        "# TYPE faultline_checkpoint_lag_bytes gauge\n");
  now.push_back({Registry::label("file", "/a.log"), 10});
  now.push_back({Registry::label("file", "/b.log"), 0});
  CHECK(r.value("faultline_checkpoint_lag_bytes") == 10.0);
  CHECK(r.prometheus().find("faultline_checkpoint_lag_bytes{file=\"/a.log\"} 10\n") !=
        std::string::npos);
}

TEST_CASE("metrics: microseconds are published in seconds", "[metrics]") {
  std::atomic<uint64_t> micros{1'500'000};
  Registry r;
  r.add_micros_as_seconds("faultline_spool_sync_seconds_total", "Sync time.", micros);
  CHECK(r.value("faultline_spool_sync_seconds_total") == 1.5);
  CHECK(r.prometheus().find("faultline_spool_sync_seconds_total 1.5\n") != std::string::npos);
}

TEST_CASE("metrics: a histogram has cumulative buckets, +Inf, sum and count", "[metrics]") {
  faultline::Histogram h({0.1, 1});
  Registry r;
  r.add_histogram("faultline_delivery_request_duration_seconds", "Send latency.", h);
  h.observe(0.05);
  h.observe(0.1);  // on the bound: counted in it (le)
  h.observe(0.5);
  h.observe(7);
  CHECK(r.value("faultline_delivery_request_duration_seconds") == 4.0);
  CHECK(r.prometheus() ==
        "# HELP faultline_delivery_request_duration_seconds Send latency.\n"
        "# TYPE faultline_delivery_request_duration_seconds histogram\n"
        "faultline_delivery_request_duration_seconds_bucket{le=\"0.1\"} 2\n"
        "faultline_delivery_request_duration_seconds_bucket{le=\"1\"} 3\n"
        "faultline_delivery_request_duration_seconds_bucket{le=\"+Inf\"} 4\n"
        "faultline_delivery_request_duration_seconds_sum 7.65\n"
        "faultline_delivery_request_duration_seconds_count 4\n");
}
