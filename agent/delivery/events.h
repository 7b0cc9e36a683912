// What an operator may need to see about delivery: the counters (Stats) and the named events that
// update them and log, each in one place (Vector's internal_events idea). Log lines are
// throttled per event kind: at most 10 lines per 10 s window; the first line of the next window
// says how many were suppressed. Counters are never throttled.
//
// Stats are plain atomics, read by anyone at any time (metrics, tests); the counters only grow,
// the spool_* gauges go up and down. Events is thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/thread_annotations.h"

namespace faultline::delivery {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
using LogFn = std::function<void(LogLevel, std::string_view)>;

struct Stats {
  Stats() = default;
  Stats(const Stats&) = delete;
  Stats& operator=(const Stats&) = delete;

  std::atomic<uint64_t> submitted{0};         // events durably spooled by submit()
  std::atomic<uint64_t> duplicates{0};        // submit() of an event_id already spooled: first kept
  std::atomic<uint64_t> discarded_no_dsn{0};  // submit() with an empty DSN: nothing is sent
  std::atomic<uint64_t> requests{0};          // HTTP attempts, whatever their outcome
  std::atomic<uint64_t> sent{0};              // events accepted by Sentry (2xx)
  std::atomic<uint64_t> retried{0};           // attempts failed retryably (network error, 408, 5xx)
  std::atomic<uint64_t> network_errors{0};    // the part of `retried` with no HTTP response
  std::atomic<uint64_t> rate_limited{0};      // 429s, and other responses that set a rate limit
  std::atomic<uint64_t> dropped_permanent{0};    // rejected for good (4xx but 408/429, 1xx, 3xx)
  std::atomic<uint64_t> dropped_spool_full{0};   // evicted (oldest first) or refused for space
  std::atomic<uint64_t> dropped_spool_error{0};  // submit() could not write (I/O error, ENOSPC)
  std::atomic<uint64_t> corrupt_moved_aside{0};  // spool files moved to <spool>/corrupt/
  std::atomic<uint64_t> spool_commits{0};        // group commits (one batch file, one fsync)
  std::atomic<uint64_t> spool_written_bytes{0};  // bytes those commits wrote
  std::atomic<uint64_t> spool_sync_micros{0};    // time in fsync (batch files, directory), in µs
  std::atomic<uint64_t> spool_files{0};          // gauge: events in the spool now
  std::atomic<uint64_t> spool_bytes{0};          // gauge: the batch files' bytes on disk
  // Each HTTP request's time to its answer or failure, in seconds.
  Histogram request_seconds{{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}};
  // Transactions dropped unsent because Sentry rate-limits their category (not losses: they are
  // a sample; error events wait out their limit in the spool instead).
  std::atomic<uint64_t> transactions_rate_limited{0};

  // dropped_permanent split by HTTP status (100–599).
  uint64_t dropped_for_status(int status) const {
    return status >= 100 && status < 600 ? dropped_by_status_[status - 100].load() : 0;
  }

 private:
  friend class Events;
  std::array<std::atomic<uint64_t>, 500> dropped_by_status_{};
};

class Events {
 public:
  // `stats`, `clock` outlive this object. `log` may be empty (nothing is logged).
  Events(Stats& stats, LogFn log, Clock& clock);
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  Stats& stats() { return stats_; }

  // Not throttled: said once, at open.
  void delivery_disabled();
  void delivery_started(std::string_view dsn, std::string_view spool_dir, uint64_t files,
                        uint64_t bytes, int concurrency);
  void tls_verify_disabled();

  void events_submitted(uint64_t n);
  void spool_committed(uint64_t bytes, std::chrono::microseconds sync);
  void spool_renumbered(uint64_t batches);
  void event_duplicate(std::string_view event_id);
  void event_discarded_no_dsn();
  void spool_full_dropped(std::string_view event_id, std::string_view why);
  void spool_write_failed(std::string_view event_id, std::string_view why);
  void spool_corrupt_moved_aside(std::string_view path, std::string_view why);
  void spool_ignored_file(std::string_view path);
  // A file that is not regular and could not be moved aside either: never read, left alone.
  void spool_left_in_place(std::string_view path, std::string_view why);

  void send_attempted();
  void send_accepted(std::string_view event_id, int status);
  // `what` describes the failure ("HTTP 503", "connect: Connection refused").
  void send_retry(std::string_view event_id, std::string_view what, bool network_error,
                  std::chrono::milliseconds backoff);
  void send_rate_limited(int status, std::chrono::milliseconds for_how_long);
  // A transaction claimed while the `transaction` category is limited: dropped, not sent.
  void transaction_rate_limited(std::string_view event_id);
  // `what` is "HTTP 413: <X-Sentry-Error or body>".
  void send_dropped(std::string_view event_id, int status, std::string_view what);

 private:
  enum class Kind {
    kDuplicate,
    kNoDsn,
    kSpoolFull,
    kSpoolWrite,
    kCorrupt,
    kIgnoredFile,
    kRetry,
    kRateLimited,
    kTransactionLimited,
    kDropped,
    kAccepted,
    kCount_,
  };
  void log(LogLevel level, std::string_view message);
  void log_throttled(Kind kind, LogLevel level, std::string_view message);

  static constexpr std::chrono::seconds kLogWindow{10};
  static constexpr int kLinesPerWindow = 10;

  Stats& stats_;
  LogFn log_;
  Clock& clock_;
  std::mutex mu_;
  struct Throttle {
    Clock::time_point window_start = Clock::time_point::min();
    int lines = 0;  // written in the current window
    uint64_t suppressed = 0;
  };
  std::array<Throttle, static_cast<size_t>(Kind::kCount_)> throttles_ GUARDED_BY(mu_);
  // Sending fails since `failing_since_` (one line when it starts, one when it works again).
  bool failing_ GUARDED_BY(mu_) = false;
  Clock::time_point failing_since_ GUARDED_BY(mu_);
  uint64_t failed_attempts_ GUARDED_BY(mu_) = 0;
};

}  // namespace faultline::delivery
