// The sender: `concurrency` worker threads (1–4) that drain the spool oldest first and post each
// event as an envelope. Built on the pure pieces: envelope.h (bytes), rate_limiter.h (when a
// category may be sent), retry_policy.h (what a response means, how long to back off), and one
// Transport per worker.
//
// Scheduling, shared by all workers under one lock:
//   - no error event is sent while the `error` (or all-categories) rate limit runs: they wait in
//     the spool. A transaction claimed while the `transaction` (or all-categories) limit runs is
//     dropped and counted, as the SDKs drop what a limit covers; the two categories never hold
//     each other back;
//   - after a retryable failure every worker waits out a shared backoff (attempt n of the
//     current streak of consecutive failures), and then only one request is in flight at a time
//     until one succeeds again (a probe), so an outage costs one request per backoff period, not
//     one per worker or per event;
//   - each event also backs off on its own (by its own failure count), so an event that keeps
//     failing (a poison event) never blocks the ones behind it;
//   - a worker claims the due event with the fewest failures, the oldest among equals: spool
//     order while all is well. With more than one worker, envelopes may arrive slightly out of
//     spool order; they are independent events carrying their own timestamps, rate limits and
//     backoff are shared, and an event is claimed by one worker at a time, so no event is ever
//     in flight twice.
// `sent_at` is stamped when a request is built, right before it is sent.
//
// Thread-safe. The spool, clock and events outlive the sender.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "agent/delivery/dsn.h"
#include "agent/delivery/envelope.h"
#include "agent/delivery/events.h"
#include "agent/delivery/rate_limiter.h"
#include "agent/delivery/retry_policy.h"
#include "agent/delivery/spool.h"
#include "agent/delivery/transport.h"
#include "base/clock.h"
#include "base/thread_annotations.h"

namespace faultline::delivery {

struct SenderOptions {
  Dsn dsn;
  SdkInfo sdk;
  int concurrency = 1;
  size_t gzip_threshold = 32 * 1024;
  Backoff backoff;
  // A uniform random number in [0, 1] for backoff jitter; empty = an internal PRNG.
  std::function<double()> random_unit;
};

class Sender {
 public:
  Sender(SenderOptions options, Spool& spool, Clock& clock, Events& events);
  ~Sender();  // stop()
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Makes one transport per worker with `factory`, then starts the workers.
  Status start(const TransportFactory& factory);

  // Wakes the workers: the spool has something new.
  void notify();

  // Blocks until the spool is empty and nothing is in flight (true), or until `deadline` in
  // real time (false). Returns false at once after stop().
  bool wait_idle(std::chrono::steady_clock::time_point deadline);

  // Aborts requests in flight (their events stay in the spool) and joins the workers. Idempotent.
  void stop();

 private:
  void run(Transport& transport);
  // Records what one attempt's response means for `entry`: the spool, rate limits, backoff.
  void settle(const Spool::Entry& entry, const Response& response) REQUIRES(mu_);
  double random_unit() REQUIRES(mu_);

  const SenderOptions options_;
  Spool& spool_;
  Clock& clock_;
  Events& events_;

  std::atomic<bool> abort_{false};
  std::vector<std::unique_ptr<Transport>> transports_;
  std::vector<std::thread> threads_;

  std::mutex mu_;
  std::condition_variable cv_;  // any change of the state below, or new spool entries
  bool stopping_ GUARDED_BY(mu_) = false;
  int in_flight_ GUARDED_BY(mu_) = 0;
  int failures_ GUARDED_BY(mu_) = 0;  // consecutive retryable failures, across workers
  Clock::time_point backoff_until_ GUARDED_BY(mu_) = Clock::time_point::min();
  RateLimiter limiter_ GUARDED_BY(mu_);
  std::mt19937_64 rng_ GUARDED_BY(mu_){std::random_device{}()};
};

}  // namespace faultline::delivery
