#include "agent/delivery/events.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

namespace faultline::delivery {
namespace {

std::string seconds_text(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

// "delivery: spool file <path> is unusable (<why>)"
std::string unusable(std::string_view path, std::string_view why) {
  std::string line = "delivery: spool file ";
  line.append(path);
  line += " is unusable (";
  line.append(why);
  line += ")";
  return line;
}

}  // namespace

Events::Events(Stats& stats, LogFn log, Clock& clock)
    : stats_(stats), log_(std::move(log)), clock_(clock) {}

void Events::log(LogLevel level, std::string_view message) {
  if (log_) log_(level, message);
}

void Events::log_throttled(Kind kind, LogLevel level, std::string_view message) {
  if (!log_) return;
  uint64_t suppressed = 0;
  {
    std::lock_guard<std::mutex> g(mu_);
    Throttle& t = throttles_[static_cast<size_t>(kind)];
    const Clock::time_point now = clock_.now();
    if (t.window_start == Clock::time_point::min() || now - t.window_start >= kLogWindow) {
      t.window_start = now;
      t.lines = 0;
    }
    if (t.lines >= kLinesPerWindow) {
      ++t.suppressed;
      return;
    }
    ++t.lines;
    suppressed = std::exchange(t.suppressed, 0);
  }
  if (suppressed == 0) {
    log_(level, message);
  } else {
    std::string line(message);
    line += " (" + std::to_string(suppressed) + " similar messages suppressed)";
    log_(level, line);
  }
}

void Events::delivery_disabled() {
  log(LogLevel::kInfo, "delivery: no DSN configured; events are not sent anywhere");
}

void Events::delivery_started(std::string_view dsn, std::string_view spool_dir, uint64_t files,
                              uint64_t bytes, int concurrency) {
  std::string line = "delivery: sending to ";
  line.append(dsn);
  line += " with " + std::to_string(concurrency) + (concurrency == 1 ? " worker" : " workers");
  line += "; spool ";
  line.append(spool_dir);
  line += " holds " + std::to_string(files) + " events (" + std::to_string(bytes) + " bytes)";
  log(LogLevel::kInfo, line);
}

void Events::tls_verify_disabled() {
  log(LogLevel::kWarning,
      "delivery: TLS certificate verification is DISABLED by configuration "
      "(delivery.tls_verify: false); the Sentry server's identity is not checked");
}

void Events::events_submitted(uint64_t n) {
  stats_.submitted += n;
}

void Events::spool_committed(uint64_t bytes, std::chrono::microseconds sync) {
  ++stats_.spool_commits;
  stats_.spool_written_bytes += bytes;
  stats_.spool_sync_micros += static_cast<uint64_t>(std::max<int64_t>(sync.count(), 0));
}

void Events::spool_renumbered(uint64_t batches) {
  log(LogLevel::kInfo, "delivery: spool sequence numbers were near their end; renumbered " +
                           std::to_string(batches) + " files from 1, in order");
}

void Events::event_duplicate(std::string_view event_id) {
  ++stats_.duplicates;
  std::string line = "delivery: event ";
  line.append(event_id);
  line += " is already in the spool; keeping the first copy";
  log_throttled(Kind::kDuplicate, LogLevel::kDebug, line);
}

void Events::event_discarded_no_dsn() {
  ++stats_.discarded_no_dsn;
  log_throttled(Kind::kNoDsn, LogLevel::kDebug, "delivery: no DSN; event discarded");
}

void Events::spool_full_dropped(std::string_view event_id, std::string_view why) {
  ++stats_.dropped_spool_full;
  std::string line = "delivery: spool full, dropped event ";
  line.append(event_id);
  line += ": ";
  line.append(why);
  log_throttled(Kind::kSpoolFull, LogLevel::kWarning, line);
}

void Events::spool_write_failed(std::string_view event_id, std::string_view why) {
  ++stats_.dropped_spool_error;
  std::string line = "delivery: could not spool event ";
  line.append(event_id);
  line += " (dropped): ";
  line.append(why);
  log_throttled(Kind::kSpoolWrite, LogLevel::kError, line);
}

void Events::spool_corrupt_moved_aside(std::string_view path, std::string_view why) {
  ++stats_.corrupt_moved_aside;
  log_throttled(Kind::kCorrupt, LogLevel::kWarning, unusable(path, why) + "; moved aside");
}

void Events::spool_ignored_file(std::string_view path) {
  std::string line = "delivery: ignoring unexpected file in the spool: ";
  line.append(path);
  log_throttled(Kind::kIgnoredFile, LogLevel::kWarning, line);
}

void Events::spool_left_in_place(std::string_view path, std::string_view why) {
  log_throttled(Kind::kCorrupt, LogLevel::kWarning,
                unusable(path, why) + " and could not be moved aside; left in place, never read");
}

void Events::send_attempted() {
  ++stats_.requests;
}

void Events::send_accepted(std::string_view event_id, int status) {
  ++stats_.sent;
  std::optional<std::string> recovered;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (failing_) {
      failing_ = false;
      const auto failed_for =
          std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - failing_since_);
      recovered = "delivery: Sentry accepts events again, after " + seconds_text(failed_for) +
                  " and " + std::to_string(failed_attempts_) + " failed attempts";
    }
  }
  if (recovered) log(LogLevel::kInfo, *recovered);
  std::string line = "delivery: event ";
  line.append(event_id);
  line += " accepted (HTTP " + std::to_string(status) + ")";
  log_throttled(Kind::kAccepted, LogLevel::kDebug, line);
}

void Events::send_retry(std::string_view event_id, std::string_view what, bool network_error,
                        std::chrono::milliseconds backoff) {
  ++stats_.retried;
  if (network_error) ++stats_.network_errors;
  bool started_failing = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!failing_) {
      failing_ = started_failing = true;
      failing_since_ = clock_.now();
      failed_attempts_ = 0;
    }
    ++failed_attempts_;
  }
  if (started_failing) {
    log(LogLevel::kWarning, "delivery: sending to Sentry fails (" + std::string(what) +
                                "); events wait in the spool and are retried with backoff until "
                                "it works again");
  }
  std::string line = "delivery: sending event ";
  line.append(event_id);
  line += " failed (";
  line.append(what);
  line += "); kept in the spool, next try in " + seconds_text(backoff);
  log_throttled(Kind::kRetry, LogLevel::kWarning, line);
}

void Events::send_rate_limited(int status, std::chrono::milliseconds for_how_long) {
  ++stats_.rate_limited;
  std::string line = "delivery: rate limited by Sentry (HTTP " + std::to_string(status) +
                     "); sending paused for " + seconds_text(for_how_long);
  log_throttled(Kind::kRateLimited, LogLevel::kWarning, line);
}

void Events::transaction_rate_limited(std::string_view event_id) {
  ++stats_.transactions_rate_limited;
  std::string line = "delivery: Sentry rate-limits transactions; dropped transaction ";
  line.append(event_id);
  log_throttled(Kind::kTransactionLimited, LogLevel::kDebug, line);
}

void Events::send_dropped(std::string_view event_id, int status, std::string_view what) {
  ++stats_.dropped_permanent;
  if (status >= 100 && status < 600) ++stats_.dropped_by_status_[status - 100];
  std::string line = "delivery: Sentry rejected event ";
  line.append(event_id);
  line += " (";
  line.append(what);
  line += "); dropped for good";
  log_throttled(Kind::kDropped, LogLevel::kError, line);
}

}  // namespace faultline::delivery
