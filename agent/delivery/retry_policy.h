// What the sender does with an envelope after one attempt, and how long it backs off.
//
// Verdicts (faultline is a durable agent, so unlike the SDKs it retries what may succeed later):
//   2xx                                  → kAccepted: delete from the spool.
//   429                                  → kRateLimited: keep; resend once the limit expires
//                                          (rate_limiter.h), without backoff.
//   network error (DNS, connect, TLS, timeout, reset, truncated response), 408, 5xx
//                                        → kRetry: keep; resend after a backoff (or after the
//                                          response's Retry-After, when that is later).
//   400, 401, 403, 413, any other 4xx, and 1xx/3xx (never followed)
//                                        → kDrop: delete, count by status, log.
//   aborted by shutdown                  → kAborted: keep, untouched, for the next start.
//
// Backoff is "full jitter" over a capped exponential: attempt n (1-based) waits a uniformly
// random time in [0, min(max, initial·2^(n−1))]. With the defaults (initial 1 s, max 5 min) the
// ceilings run 1 s, 2 s, 4 s, 8 s, 16 s, 32 s, 64 s, 128 s, 256 s, then 300 s for every later
// attempt. The jitter keeps a fleet of agents from stampeding a Sentry that comes back.
// Pure and stateless; thread-safe.
#pragma once

#include <chrono>

#include "agent/delivery/transport.h"

namespace faultline::delivery {

enum class Verdict { kAccepted, kRateLimited, kRetry, kDrop, kAborted };

Verdict classify(const Response& response);

class Backoff {
 public:
  static constexpr std::chrono::milliseconds kDefaultInitial{1000};
  static constexpr std::chrono::milliseconds kDefaultMax{300000};

  Backoff(std::chrono::milliseconds initial = kDefaultInitial,
          std::chrono::milliseconds max = kDefaultMax);

  // min(max, initial·2^(attempt−1)); attempt < 1 is treated as 1.
  std::chrono::milliseconds ceiling(int attempt) const;
  // The wait before the next try after `attempt` failures: `unit` (a uniform random number in
  // [0, 1]) times ceiling(attempt).
  std::chrono::milliseconds delay(int attempt, double unit) const;

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
};

}  // namespace faultline::delivery
