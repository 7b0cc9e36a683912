// The disk spool: a durable first-in-first-out queue of event payloads, one file per event, that
// survives crashes and restarts. It is what lets the input checkpoint move past an event before
// Sentry has it.
//
// put() returns only when the event is on disk: written to a temp file, fsynced, renamed into
// place, and the directory fsynced. The sender then claim()s entries oldest first and either
// complete()s one (the file is deleted) or release()s it back into line for a later try. An
// entry's event_id is its identity: a put() of an id already spooled keeps the first payload, so
// one id is never sent with two different payloads.
//
// The spool is bounded by `max_bytes` of files: to admit a new event, the oldest entries not being
// sent are dropped (counted as dropped_spool_full). An event that cannot fit even then is refused.
//
// At open, the directory is locked (flock on `.lock`: one process per spool) and scanned; a file
// that is unreadable, truncated, fails its checksum, or is a temp file a crash left behind is
// moved to `<dir>/corrupt/` and counted — never fatal. File format and naming: docs/delivery.md.
//
// Thread-safe: put() may run on any thread while the sender's workers claim, read, complete and
// release. Disk I/O runs outside the internal lock. Not copyable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "agent/delivery/events.h"
#include "base/clock.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace faultline::delivery {

class Spool {
 public:
  using time_point = Clock::time_point;

  // A claimed entry. Valid until it is completed or released.
  struct Entry {
    uint64_t seq = 0;  // position in the queue (file name order)
    std::string event_id;
    int failures = 0;  // retryable failures so far in this process
  };

  enum class Put { kStored, kDuplicate };

  // Creates `dir` if needed, locks it, and recovers what an earlier run left. `events` outlives
  // the spool.
  static Result<std::unique_ptr<Spool>> open(const std::string& dir, uint64_t max_bytes,
                                             Events& events);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Durably stores one event (see above). `event_id` must be 32 lowercase hex. Errors: the event
  // cannot fit in `max_bytes`, or the disk failed; both are counted as drops.
  Result<Put> put(std::string_view event_id, std::string_view payload);

  // Called (outside the spool's lock) after each successful put(), to wake the sender.
  void set_on_ready(std::function<void()> on_ready);

  // Claims the next entry to send among those neither claimed nor waiting out a backoff at
  // `now`: the one with the fewest failures, the oldest among equals. Without failures that is
  // plain spool order; after failures, an event that keeps failing goes behind the others
  // instead of blocking them. When none is due, sets *next_due to the earliest instant a
  // waiting one becomes due (time_point::max() if none is waiting).
  std::optional<Entry> claim(time_point now, time_point* next_due);
  // The payload of a claimed entry. When the file turns out unusable it is moved aside, counted,
  // the entry is gone, and the error says why.
  Result<std::string> read(const Entry& entry);
  // Deletes a claimed entry (accepted, or dropped for good).
  void complete(const Entry& entry);
  // Puts a claimed entry back in line, not to be claimed before `not_before`. With `failed`,
  // its failure count grows by one.
  void release(const Entry& entry, time_point not_before, bool failed);

  // Entries stored, claimed or not (excludes ones still being written).
  uint64_t size() const;
  const std::string& dir() const { return dir_; }

 private:
  enum class State { kWriting, kReady, kClaimed };
  struct Slot {
    std::string event_id;
    uint64_t bytes = 0;
    State state = State::kWriting;
    int failures = 0;
    time_point not_before = time_point::min();
  };

  Spool(std::string dir, uint64_t max_bytes, Events& events, int lock_fd, int dir_fd);
  Status recover();
  std::string path_of(uint64_t seq, std::string_view event_id) const;
  void move_aside(const std::string& name, std::string_view why);
  void publish_gauges() REQUIRES(mu_);

  const std::string dir_;
  const uint64_t max_bytes_;
  Events& events_;
  const int lock_fd_;
  const int dir_fd_;
  std::function<void()> on_ready_;  // set before the sender starts; read-only afterwards

  mutable std::mutex mu_;
  std::map<uint64_t, Slot> slots_ GUARDED_BY(mu_);
  std::unordered_map<std::string, uint64_t> by_id_ GUARDED_BY(mu_);
  uint64_t bytes_ GUARDED_BY(mu_) = 0;
  uint64_t stored_ GUARDED_BY(mu_) = 0;  // slots not in kWriting
  uint64_t next_seq_ GUARDED_BY(mu_) = 1;
};

// The file format, exposed for tests and tools: a one-line header, then the payload.
//   "faultline-spool 1 <event_id> <payload bytes> <crc32 of payload, 8 hex>\n" <payload>
std::string spool_file_header(std::string_view event_id, std::string_view payload);
// Checks a whole file's bytes against its name's event_id; returns the payload or why not.
Result<std::string> parse_spool_file(std::string_view bytes, std::string_view event_id);

}  // namespace faultline::delivery
