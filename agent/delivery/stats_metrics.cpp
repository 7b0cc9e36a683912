#include "agent/delivery/stats_metrics.h"

namespace faultline::delivery {

void register_stats(const Stats& s, Registry& r) {
  r.add_counter("faultline_delivery_spooled_total", "Events durably written to the spool.",
                s.submitted);
  r.add_counter("faultline_delivery_duplicates_total",
                "Events already in the spool under the same id (a re-read line).", s.duplicates);
  r.add_counter("faultline_delivery_discarded_no_dsn_total",
                "Events discarded because no DSN is configured.", s.discarded_no_dsn);
  r.add_counter("faultline_delivery_requests_total", "HTTP requests to Sentry, any outcome.",
                s.requests);
  r.add_counter("faultline_delivery_sent_total", "Events accepted by Sentry (2xx).", s.sent);
  r.add_counter("faultline_delivery_retried_total",
                "Sends that failed retryably (network error, 408, 5xx).", s.retried);
  r.add_counter("faultline_delivery_network_errors_total",
                "Retried sends that got no HTTP response.", s.network_errors);
  r.add_counter("faultline_delivery_rate_limited_total",
                "Responses that set a rate limit (429 or X-Sentry-Rate-Limits).", s.rate_limited);
  r.add_counter("faultline_delivery_dropped_rejected_total",
                "Events Sentry rejected for good (4xx other than 408 and 429).",
                s.dropped_permanent);
  r.add_counter("faultline_delivery_dropped_spool_full_total",
                "Events dropped because the spool reached delivery.spool_max_bytes.",
                s.dropped_spool_full);
  r.add_counter("faultline_delivery_dropped_spool_error_total",
                "Events the spool could not write (I/O error, disk full).", s.dropped_spool_error);
  r.add_counter("faultline_spool_corrupt_files_total",
                "Spool files that could not be read, moved aside to <spool>/corrupt/.",
                s.corrupt_moved_aside);
  r.add_counter("faultline_spool_commits_total",
                "Group commits: batches of events written to the spool with one fsync.",
                s.spool_commits);
  r.add_counter("faultline_spool_written_bytes_total", "Bytes written to the spool by commits.",
                s.spool_written_bytes);
  r.add_micros_as_seconds("faultline_spool_sync_seconds_total",
                          "Time the spool's commits spent in fsync (batch file and directory).",
                          s.spool_sync_micros);
  r.add_counter("faultline_transactions_dropped_rate_limited_total",
                "Transactions dropped unsent while Sentry rate-limits the transaction category "
                "(error events wait in the spool instead).",
                s.transactions_rate_limited);
  r.add_gauge("faultline_spool_files", "Events waiting in the spool.", s.spool_files);
  r.add_gauge("faultline_spool_bytes", "Bytes of the spool's batch files on disk.", s.spool_bytes);
  r.add_histogram("faultline_delivery_request_duration_seconds",
                  "Time from sending a request to Sentry to its answer (or its failure).",
                  s.request_seconds);
}

}  // namespace faultline::delivery
