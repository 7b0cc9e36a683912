// What a worker job's line says about the job's life (docs/tracing.md, "Worker jobs"): the hot
// path's view of a line with a job id, read from its message and attempt counters only, so that
// asking costs no parsing and no allocation.
//
// The words are those apps log from their queue's events: BullMQ's and Bull's `active`,
// `completed` and `failed` (a failure is final once attemptsMade reaches attempts, or when the
// app says so, e.g. for an UnrecoverableError), Bee-Queue's `succeeded`, `failed` and `retrying`.
#pragma once

#include <cstdint>

#include "parsers/pino_record.h"

namespace faultline {

enum class JobEnd : uint8_t {
  kNone,       // not the job's end: enqueued, active, progress, a failure that will be retried
  kCompleted,  // "completed", "succeeded"
  kFailed,     // "failed" with no retry to come
};

// The job's end, for a line with a job id. A failure is final unless the message speaks of a
// retry ("will retry", "retrying") or the attempt counters show attempts left and the message
// does not say "permanently"; a failure with neither (Bee-Queue's default of no retries) is final.
JobEnd job_end(const RecordView& view);

// Whether a line with a job id marks the start of a processing attempt: "active" (the BullMQ
// event), "started", "processing". Not an end line.
bool job_start(const RecordView& view);

}  // namespace faultline
