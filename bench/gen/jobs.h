// Worker jobs: `POST /api/jobs/email` enqueues a BullMQ-style job that the worker in the same
// process runs a few milliseconds later. A job's fate is drawn when it is enqueued: done on the
// first attempt, a retry then done, timeouts until its 3 attempts run out, or a 550 bounce that
// fails it at once. Its lines carry component, queue, jobId, attemptsMade and, when failing,
// the err. Not thread-safe.

#pragma once

#include <cstdint>

#include "model.h"
#include "pino_line.h"
#include "rng.h"

namespace gen {

// How often jobs fail, from --error-rate (so that --error-rate 0 has no failing job).
struct JobOdds {
  uint32_t fail_per_million = 0;   // fail permanently (bounce or three timeouts)
  uint32_t retry_per_million = 0;  // of the others: one timeout, then done
  static JobOdds for_error_rate(double error_rate);
};

// Fills job `j` (Actor::reset already called): ids, random bits, start time and the script of
// its attempts. `email` is the enqueuing client's address (kEmails index).
void plan_job(Actor& j, uint64_t job_id, uint32_t req_id, uint8_t email, uint64_t now, Rng& rng,
              Timing& timing, const JobOdds& odds);

// The line of step `s` of job `j`: "job completed", "job N failed, will retry" (level 40) or
// "job N failed permanently" (level 50).
void write_job_line(LineWriter& w, const Actor& j, const Step& s, uint64_t now);

}  // namespace gen
