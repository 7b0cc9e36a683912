// The counters of tracing (docs/tracing.md): what became of the completion lines that tracing
// looked at, each a Prometheus counter `faultline_transactions_…_total`. Updated by the pipeline
// thread, read from any (relaxed atomics). Delivery counts the transactions it drops while
// Sentry rate-limits them (faultline_transactions_dropped_rate_limited_total, delivery/).
#pragma once

#include <string_view>
#include <vector>

#include "base/metrics.h"

namespace faultline {

struct TracingMetrics {
  Counter sampled;           // transactions emitted
  Counter dropped_rate;      // the trace's draw was above tracing.sample_rate
  Counter dropped_route;     // ... above the rate of a route rule (health checks: 0)
  Counter dropped_parent;    // the trace_flags said "not sampled" (respect_parent)
  Counter dropped_unusable;  // a sampled line gave no transaction (no response time, not JSON)

  // Adds every counter above to `registry`; this object must outlive it.
  void register_in(Registry& registry) const;
};

}  // namespace faultline
