// Worker jobs: their fate and their lines. The order of the draws is part of the output (see
// rng.h).

#include "jobs.h"

#include <algorithm>
#include <string_view>

#include "out.h"

namespace gen {

namespace {

// Actor::p3 of a failing job: which recipient, and so which failure.
constexpr uint64_t kBounce = 100;   // 550 from the recipient's MX: UnrecoverableError
constexpr uint64_t kTimeout = 101;  // the MX does not answer

// BullMQ's backoff before attempt k (1-based), in microseconds of log time before scaling.
constexpr uint64_t kBackoffUs[] = {0, 1000000, 3000000};

void attempt(Actor& j, uint8_t k, What what, Timing& timing) {
  j.add_step(timing.scaled(kBackoffUs[k - 1]) + timing.ms(5, 20), what, k);
}

}  // namespace

JobOdds JobOdds::for_error_rate(double error_rate) {
  JobOdds o;
  o.fail_per_million = static_cast<uint32_t>(std::min(0.5, error_rate * 15) * 1e6);
  o.retry_per_million = static_cast<uint32_t>(std::min(0.3, error_rate * 20) * 1e6);
  return o;
}

void plan_job(Actor& j, uint64_t job_id, uint32_t req_id, uint8_t email, uint64_t now, Rng& rng,
              Timing& timing, const JobOdds& odds) {
  j.p1 = job_id;
  j.p2 = req_id;
  j.p3 = email;
  j.bits = rng.next();
  j.bits2 = rng.next();
  j.start = now + timing.ms(2, 30);
  if (rng.per_million(odds.fail_per_million)) {
    if (rng.percent(50)) {
      j.p3 = kBounce;
      attempt(j, 1, kJobFailed, timing);
    } else {
      j.p3 = kTimeout;
      attempt(j, 1, kJobRetry, timing);
      attempt(j, 2, kJobRetry, timing);
      attempt(j, 3, kJobFailed, timing);
    }
  } else if (rng.per_million(odds.retry_per_million)) {
    j.p3 = kTimeout;
    attempt(j, 1, kJobRetry, timing);
    attempt(j, 2, kJobDone, timing);
  } else {
    attempt(j, 1, kJobDone, timing);
  }
}

void write_job_line(LineWriter& w, const Actor& j, const Step& s, uint64_t now) {
  w.begin(s.what == kJobRetry ? 40 : s.what == kJobFailed ? 50 : 30, now);
  put(w, ",\"component\":\"worker\",\"queue\":\"emails\",\"jobId\":\"");
  putu(w, j.p1);
  put(w, "\",\"jobName\":\"send-welcome-email\",\"attemptsMade\":");
  putu(w, s.arg);
  if (s.what == kJobDone) {
    // The mailer's message id: a v4 UUID.
    put(w, ",\"result\":{\"messageId\":\"<");
    puthex(w, j.bits, 8);
    putch(w, '-');
    puthex(w, j.bits >> 32, 4);
    put(w, "-4");
    puthex(w, j.bits2, 3);
    putch(w, '-');
    puthex(w, 0x8000 | (j.bits2 >> 12 & 0x3fff), 4);
    putch(w, '-');
    puthex(w, j.bits2 >> 16, 12);
    put(w, "@mailer.example.net>\"},\"duration\":");
    putu(w, 3 + j.bits % 40);
    w.end("job completed");
    return;
  }
  const bool bounce = j.p3 == kBounce;
  const std::string_view reason =
      bounce ? "550 5.1.1 <bounce-me@example.invalid>: Recipient address rejected: User unknown"
             : "Connection timeout";
  put(w, ",\"attempts\":3,\"failedReason\":\"");
  put(w, reason);
  put(w, "\",\"requestId\":");
  putu(w, j.p2);
  put(w, ",\"data\":{\"to\":\"");
  put(w, bounce ? "bounce-me@example.invalid" : "flaky.mx@example.org");
  put(w, "\",\"template\":\"welcome\",\"requestId\":");
  putu(w, j.p2);
  putch(w, '}');
  w.open_err("Error", reason);
  frame(w, bounce ? "processEmail (/srv/app/src/jobs/email.js:206:15)"
                  : "processEmail (/srv/app/src/jobs/email.js:213:15)");
  if (j.bits % 2) {
    frame(w, "runNextTicks (node:internal/process/task_queues:60:5)");
    frame(w, "process.processTimers (node:internal/timers:516:9)");
  }
  frame(w, "async exec (/srv/app/src/jobs/worker.js:226:22)");
  put(w, bounce ? "\",\"code\":\"EENVELOPE\",\"responseCode\":550,\"command\":\"RCPT TO\"}"
                : "\",\"code\":\"ETIMEDOUT\",\"command\":\"CONN\"}");
  w.open_msg();
  put(w, "job ");
  putu(w, j.p1);
  put(w, s.what == kJobRetry ? " failed, will retry" : " failed permanently");
  w.close_msg();
}

}  // namespace gen
