// Earlier lines of a request → Sentry breadcrumbs (oldest first, the most recent `max` kept).
// A pino-http completion becomes an "http" breadcrumb; any other line a "default" one with the
// line's small scalar fields as data. Stateless.
#pragma once

#include <vector>

#include "agent/sentry/incident.h"
#include "parsers/json.h"
#include "parsers/pino_record.h"

namespace faultline::sentry {

json::Array breadcrumbs_from(const std::vector<KeptLine>& lines, const PinoFormat& format,
                             size_t max);

}  // namespace faultline::sentry
