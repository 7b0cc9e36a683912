// The pipeline's counters: each is a named Prometheus counter, registered in the run's Registry
// (base/metrics.h) beside delivery's, and summarised at the end of a run. Updated by the pipeline
// thread, read from any thread (relaxed atomics: each counter is independent).
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "agent/telemetry/series_board.h"
#include "agent/telemetry/tracing_metrics.h"
#include "base/metrics.h"

namespace faultline {

struct Metrics {
  Counter lines;                 // every line framed, JSON or not
  Counter json_lines;            // lines that were JSON objects
  Counter non_json_lines;        // skipped: console output, crash dumps, broken lines
  Counter long_lines;            // skipped: longer than pino.max_line_bytes
  Counter invalid_utf8_lines;    // read after replacing invalid bytes
  Counter errors_detected;       // error records found by the detector
  Counter events;                // events emitted (printed or handed to delivery)
  Counter events_dropped_rules;  // dropped by a filter/sample/throttle rule
  Counter build_failures;        // error records that could not become an event
  Counter events_dropped_queue;  // an output refused the event (none does: the spool queue waits)
  Counter events_truncated;      // cut to fit Sentry's size limits
  Counter fields_unreadable;  // values of error records replaced by a marker (json::kTooDeep, …)
  Counter skipped_lines;      // pipe: the pipeline fell behind, lines passed through unprocessed
  // Correlation.
  Counter requests_tracked;   // request/trace/job scopes opened
  Counter requests_evicted;   // pushed out by correlation.max_requests (LRU)
  Counter requests_expired;   // freed by correlation.ttl
  Counter forced_emissions;   // errors emitted without their completion line
  Counter duplicates_merged;  // lines folded into another line's event
  Counter
      placeholders_absorbed;  // pino-http "failed with status code" lines, no event of their own
  Counter late_lines;         // lines that arrived after their request's completion
  // The app's files (sources.roots).
  Counter source_files_read;        // files (or their tails) read for debug ids and context
  Counter source_files_unreadable;  // frame files that could not be read, once per file
  // Plain-text errors (docs/sources.md): dumps found among the non-JSON lines, their lines (not
  // counted in non_json_lines), events made of a dump alone, dumps folded into a JSON event.
  Counter plain_text_dumps;
  Counter plain_text_lines;
  Counter plain_text_events;
  Counter plain_text_merged;
  // Gauge: requests the correlator holds now (written by the pipeline thread, read by /metrics).
  std::atomic<uint64_t> open_requests{0};
  // events_dropped_rules by rule and reason (filter, sample, throttle), as the pipeline counts it.
  SeriesBoard dropped_by_rule;
  TracingMetrics tracing;  // transactions from completion lines (docs/tracing.md)

  // Adds every counter above to `registry`; this object must outlive it.
  void register_in(Registry& registry) const;

  struct Entry {
    std::string_view name;
    std::string_view help;
    Counter Metrics::*counter;
  };
  static const std::vector<Entry>& entries();
};

// What one input read (a `run` input's paths, stdin, a replayed file, an app under exec): its
// series of faultline_input_lines_total and faultline_input_bytes_total. Counted by the input's
// thread.
struct InputMetrics {
  explicit InputMetrics(std::string input_name) : name(std::move(input_name)) {}
  std::string name;
  Counter lines;
  Counter bytes;

  // This object must outlive `registry`.
  void register_in(Registry& registry) const;
};

}  // namespace faultline
