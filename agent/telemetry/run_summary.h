// The one-line summary `replay` and `pipe` print on stderr when they finish.
#pragma once

#include <string>

#include "agent/telemetry/metrics.h"

namespace faultline {

std::string run_summary(const Metrics& metrics);

}  // namespace faultline
