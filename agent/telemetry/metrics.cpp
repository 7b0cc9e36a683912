#include "agent/telemetry/metrics.h"

namespace faultline {

const std::vector<Metrics::Entry>& Metrics::entries() {
  static const std::vector<Entry> table = {
      {"faultline_lines_total", "Lines read from all inputs.", &Metrics::lines},
      {"faultline_json_lines_total", "Lines that were JSON objects.", &Metrics::json_lines},
      {"faultline_non_json_lines_total", "Lines skipped because they were not JSON objects.",
       &Metrics::non_json_lines},
      {"faultline_long_lines_total", "Lines skipped because they exceeded pino.max_line_bytes.",
       &Metrics::long_lines},
      {"faultline_invalid_utf8_lines_total", "Lines with invalid UTF-8, read after repair.",
       &Metrics::invalid_utf8_lines},
      {"faultline_errors_detected_total", "Error records found.", &Metrics::errors_detected},
      {"faultline_events_total", "Events emitted.", &Metrics::events},
      {"faultline_events_dropped_queue_full_total",
       "Events an output could not queue (none since the spool queue waits instead; kept at 0 for "
       "dashboards).",
       &Metrics::events_dropped_queue},
      {"faultline_events_truncated_total", "Events cut to fit Sentry's size limits.",
       &Metrics::events_truncated},
      {"faultline_fields_unreadable_total",
       "Values in error records that could not be read (nested too deep, a number beyond a "
       "double's range) and were sent as a marker string instead.",
       &Metrics::fields_unreadable},
      {"faultline_event_build_failures_total", "Error records that could not become an event.",
       &Metrics::build_failures},
      {"faultline_lines_skipped_total",
       "Lines passed through unprocessed because faultline fell behind (pipe never slows the app).",
       &Metrics::skipped_lines},
      {"faultline_correlation_requests_total", "Request, trace and job scopes tracked.",
       &Metrics::requests_tracked},
      {"faultline_correlation_evictions_total", "Scopes pushed out by correlation.max_requests.",
       &Metrics::requests_evicted},
      {"faultline_correlation_expirations_total", "Scopes freed by correlation.ttl.",
       &Metrics::requests_expired},
      {"faultline_correlation_forced_emissions_total",
       "Errors emitted without their request's completion line.", &Metrics::forced_emissions},
      {"faultline_correlation_duplicates_merged_total",
       "Lines that logged a failure already in another line's event.", &Metrics::duplicates_merged},
      {"faultline_correlation_placeholders_absorbed_total",
       "pino-http placeholder errors that added only a status to a real error.",
       &Metrics::placeholders_absorbed},
      {"faultline_correlation_late_lines_total",
       "Lines that arrived after their request's completion line.", &Metrics::late_lines},
      {"faultline_source_files_read_total",
       "Source files (or their last lines) read from sources.roots for debug ids and context.",
       &Metrics::source_files_read},
      {"faultline_source_files_unreadable_total",
       "Files under sources.roots that frames named but that could not be read (missing, no "
       "permission, not a regular file, or a symlink leading out of the roots); once per file.",
       &Metrics::source_files_unreadable},
      {"faultline_plain_text_dumps_total",
       "Node error dumps found in plain text (crash reports, console.error) among the lines "
       "that were not JSON.",
       &Metrics::plain_text_dumps},
      {"faultline_plain_text_lines_total",
       "Lines that were part of a plain-text error dump (not counted as non-JSON lines).",
       &Metrics::plain_text_lines},
      {"faultline_plain_text_events_total", "Events emitted from a plain-text error dump alone.",
       &Metrics::plain_text_events},
      {"faultline_plain_text_merged_total",
       "Plain-text error dumps folded into the event of the JSON line that logged the same "
       "failure.",
       &Metrics::plain_text_merged},
  };
  return table;
}

void Metrics::register_in(Registry& registry) const {
  for (const Entry& e : entries()) {
    registry.add_counter(std::string(e.name), std::string(e.help), this->*e.counter);
  }
  registry.add_gauge("faultline_correlation_open_requests",
                     "Requests the correlator holds now (bounded by correlation.max_requests).",
                     open_requests);
  tracing.register_in(registry);
  dropped_by_rule.register_as(registry, "faultline_events_dropped_by_rules_total",
                              "Events dropped by a rule, by rule and reason (filter, sample, "
                              "throttle).",
                              Registry::Type::kCounter);
}

void InputMetrics::register_in(Registry& registry) const {
  registry.add_counter("faultline_input_lines_total", "Lines read, per input.", lines,
                       Registry::label("input", name));
  registry.add_counter("faultline_input_bytes_total", "Bytes read, per input.", bytes,
                       Registry::label("input", name));
}

}  // namespace faultline
