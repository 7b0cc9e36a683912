// Delivery's counters and gauges (Stats) under their Prometheus names, in the run's one Registry
// beside the pipeline's. The Stats must outlive the registry.
#pragma once

#include "agent/delivery/events.h"
#include "base/metrics.h"

namespace faultline::delivery {

void register_stats(const Stats& stats, Registry& registry);

}  // namespace faultline::delivery
