#include "agent/telemetry/tracing_metrics.h"

namespace faultline {

void TracingMetrics::register_in(Registry& r) const {
  r.add_counter("faultline_transactions_sampled_total",
                "Request completions sent as transactions (tracing.sample_rate).", sampled);
  r.add_counter("faultline_transactions_dropped_sample_rate_total",
                "Request completions not sampled: the trace's draw was above tracing.sample_rate.",
                dropped_rate);
  r.add_counter("faultline_transactions_dropped_route_total",
                "Request completions not sampled: above the rate of a tracing.routes rule or of "
                "the health-check routes (0).",
                dropped_route);
  r.add_counter("faultline_transactions_dropped_parent_total",
                "Request completions not sampled: their trace_flags said not sampled "
                "(tracing.respect_parent).",
                dropped_parent);
  r.add_counter("faultline_transactions_dropped_unusable_total",
                "Sampled request completions that gave no transaction (no response time, not "
                "JSON).",
                dropped_unusable);
}

}  // namespace faultline
