// Turns a worker job's end line (parsed) into the transaction a queue consumer's instrumentation
// would have sent for the job's processing: `type: "transaction"`, op "queue.process", the name
// "<queue> <job name>" with `transaction_info.source: "task"` (the source Sentry's SDKs give queue
// tasks), start and end as epoch seconds, status "ok" or "internal_error", tags `queue` and
// `job.name`, release and environment (docs/tracing.md, "Worker jobs").
//
// Which jobs get here, their trace and their start are decided by the caller
// (agent/pipeline/tracer.h). Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/sentry/event_builder.h"
#include "parsers/json.h"

namespace faultline::sentry {

struct JobFacts {
  std::string event_id;  // 32 lowercase hex
  std::string queue;     // may be empty
  std::string job_name;  // may be empty
  std::string job_id;
  bool failed = false;         // the job failed for good
  std::string trace_id;        // 32 lowercase hex
  std::string span_id;         // 16 lowercase hex: the job's span
  std::string parent_span_id;  // the enqueuing request's span, or empty
  std::optional<double> sample_rate;
  int64_t end_us = 0;    // the end line's time
  int64_t start_us = 0;  // end − duration, else the job's start or first line; ≤ end_us
};

// "emails send-welcome-email": the queue and the job's name, whichever are known.
std::string job_transaction_name(std::string_view queue, std::string_view job_name);

// The job's duration as its end line logged it, in milliseconds: `duration`, `durationMs` or
// `duration_ms`, a number ≥ 0.
std::optional<double> job_duration_ms(const json::Value& end_line);

// The job's name on its line: `jobName` or `job.name`.
std::optional<std::string> job_name_of(const json::Value& line);

json::Value build_job_transaction(const EventSettings& settings, const json::Value& end_line,
                                  const JobFacts& facts);

}  // namespace faultline::sentry
