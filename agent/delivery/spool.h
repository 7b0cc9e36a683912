// The disk spool: a durable first-in-first-out queue of event payloads that survives crashes and
// restarts. It is what lets the input checkpoint move past an event before Sentry has it.
//
// Group commit: put_batch() stores any number of events with one commit: their records are
// written to one new batch file under a temporary name, the file is fsynced once, renamed into
// place, and the directory fsynced once; only then does it return, and only then may the caller
// acknowledge (settle the tickets of) the whole batch. A crash at any point of a commit leaves
// either the whole batch in place or a temporary file that the next start moves aside; a batch
// whose put_batch() returned is never lost. put() is a batch of one.
//
// The sender then claim()s events oldest first and either complete()s one or release()s it back
// into line for a later try. A completed event's offset is appended to its batch's ledger (not
// fsynced: a crash may forget it, and the event is sent once more under the same id); the batch
// file and its ledger are deleted when every event in it is done. An entry's event_id is its
// identity: a put of an id already spooled keeps the first payload, so one id is never sent with
// two different payloads.
//
// The spool is bounded by `max_bytes` of batch files on disk: to admit new events, the oldest
// batches none of whose events is being sent are dropped whole (their waiting events counted as
// dropped_spool_full). An event that cannot fit even then is refused. Callers keep batches to
// max_batch_bytes() so that dropping a batch frees a small part of the spool, not most of it.
//
// The spool is a trust boundary. Spool::open() refuses a directory that group or others may write
// to (base/directories.h), opens every file with O_NOFOLLOW | O_NONBLOCK and checks that it is a
// regular file (a FIFO or a symlink named like a batch is moved to `<dir>/corrupt/`, or left alone
// when it cannot be moved, and never read), and scans what an earlier run left: a record that is
// truncated or fails its checksum, or a temp file a crash left behind, goes to `<dir>/corrupt/`
// and is counted; the batch's good records are kept — never fatal. Batch sequence numbers near
// the top of their 64-bit range are renumbered from 1 at open, in order, so that new batches
// always sort after old ones. File format and naming: spool_format.h and docs/delivery.md.
//
// Thread-safe: put() and put_batch() may run on any thread while the sender's workers claim,
// read, complete and release. Writes and fsyncs run outside the internal lock. Not copyable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/delivery/events.h"
#include "agent/delivery/item_kind.h"
#include "agent/delivery/spool_format.h"
#include "base/clock.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace faultline::delivery {

class Spool {
 public:
  using time_point = Clock::time_point;

  // A claimed entry. Valid until it is completed or released.
  struct Entry {
    uint64_t seq = 0;  // position in the queue (this process's numbering, not the file names')
    std::string event_id;
    int failures = 0;  // retryable failures so far in this process
    ItemKind kind = ItemKind::kEvent;
  };

  enum class Put { kStored, kDuplicate };

  // One event of a batch. The views need only live for the put_batch() call.
  struct Item {
    std::string_view event_id;
    std::string_view payload;
    ItemKind kind = ItemKind::kEvent;  // kept with the record (spool_format.h)
  };

  // The steps of a commit, for tests that kill the process in the middle of one.
  enum class CommitStep { kWritten, kFileSynced, kRenamed, kDirectorySynced };

  // Creates `dir` if needed, locks it, and recovers what an earlier run left. `events` outlives
  // the spool.
  static Result<std::unique_ptr<Spool>> open(const std::string& dir, uint64_t max_bytes,
                                             Events& events);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Durably stores a batch (see above); one result per item, in order. `event_id` must be 32
  // lowercase hex. Errors: the event cannot fit in `max_bytes`, or the disk failed (the whole
  // batch then fails); both are counted as drops.
  std::vector<Result<Put>> put_batch(std::span<const Item> items);
  Result<Put> put(std::string_view event_id, std::string_view payload);
  // What one batch should hold at most: a sixteenth of max_bytes, at most 1 MiB (a batch of one
  // event may be larger).
  uint64_t max_batch_bytes() const;

  // Called (outside the spool's lock) after each successful commit, to wake the sender.
  void set_on_ready(std::function<void()> on_ready);
  // Test seam: called at each step of every commit, on the committing thread.
  void set_commit_hook(std::function<void(CommitStep)> hook);

  // Claims the next entry to send among those of `kinds` neither claimed nor waiting out a
  // backoff at `now`: the one with the fewest failures, the oldest among equals. Without failures
  // that is plain spool order; after failures, an event that keeps failing goes behind the
  // others instead of blocking them. When none is due, sets *next_due to the earliest instant a
  // waiting one of `kinds` becomes due (time_point::max() if none is waiting).
  std::optional<Entry> claim(time_point now, time_point* next_due, KindSet kinds = KindSet::all());
  // The payload of a claimed entry. When the record turns out unusable it is moved aside,
  // counted, the entry is gone, and the error says why.
  Result<std::string> read(const Entry& entry);
  // Marks a claimed entry done (accepted, or dropped for good).
  void complete(const Entry& entry);
  // Puts a claimed entry back in line, not to be claimed before `not_before`. With `failed`,
  // its failure count grows by one.
  void release(const Entry& entry, time_point not_before, bool failed);

  // Entries stored, claimed or not (excludes ones still being written).
  uint64_t size() const;
  const std::string& dir() const { return dir_; }

 private:
  enum class State { kWriting, kReady, kClaimed };
  // An event id (32 lowercase hex, already checked) as 128 bits: nothing allocated per event.
  struct Id {
    uint64_t hi = 0;
    uint64_t lo = 0;
    static Id of(std::string_view hex);
    std::string hex() const;
    bool operator==(const Id&) const = default;
  };
  struct IdHash {
    size_t operator()(const Id& id) const { return id.lo; }  // ids are hashes already
  };
  struct Slot {
    Id id;
    uint64_t batch = 0;   // key in batches_
    uint64_t offset = 0;  // of the record in the batch file
    uint64_t bytes = 0;   // of the record
    State state = State::kWriting;
    ItemKind kind = ItemKind::kEvent;
    int failures = 0;
    time_point not_before = time_point::min();
  };
  // One file on disk: a batch, or a legacy one-event file.
  struct Batch {
    std::string name;    // file name in dir_
    uint64_t bytes = 0;  // file size
    uint64_t first = 0;  // slot keys first … first + count - 1 (some may be done already)
    uint64_t count = 0;
    uint64_t live = 0;  // slots not done
    uint64_t claimed = 0;
    bool writing = false;
    bool legacy = false;  // one event, no ledger
  };
  struct Recovered;

  Spool(std::string dir, uint64_t max_bytes, Events& events, int lock_fd, int dir_fd);
  Status recover();
  void adopt(const SpoolName& name, const std::string& file, Recovered& found) REQUIRES(mu_);
  void renumber_if_near_the_top() REQUIRES(mu_);
  // Drops whole batches, oldest first, none of whose events is claimed or being written, until
  // `need` more bytes fit. Returns false when they cannot. Files to delete and events dropped go
  // to the out-parameters, to be acted on outside the lock.
  bool make_room(uint64_t need, std::vector<std::string>* unlink, std::vector<std::string>* dropped)
      REQUIRES(mu_);
  // Forgets slot `key`. When it was its batch's last, forgets the batch too and returns its file
  // name (the caller deletes or moves it, and its ledger); else appends the record's offset to
  // the batch's ledger.
  std::optional<std::string> retire(uint64_t key) REQUIRES(mu_);
  void drop_batch(std::map<uint64_t, Batch>::iterator it, std::vector<std::string>* unlink,
                  std::vector<std::string>* dropped) REQUIRES(mu_);
  std::optional<std::string> corrupt_path(const std::string& name) const;
  void move_aside(const std::string& name, std::string_view why);
  void copy_aside(const std::string& name, uint64_t offset, uint64_t bytes, std::string_view why);
  void unlink_all(const std::vector<std::string>& names);
  Status commit(uint64_t seq, const std::string& data);
  void publish_gauges() REQUIRES(mu_);

  const std::string dir_;
  const uint64_t max_bytes_;
  Events& events_;
  const int lock_fd_;
  const int dir_fd_;
  std::function<void()> on_ready_;  // set before the sender starts; read-only afterwards
  std::function<void(CommitStep)> commit_hook_;

  mutable std::mutex mu_;
  std::map<uint64_t, Slot> slots_ GUARDED_BY(mu_);
  std::map<uint64_t, Batch> batches_ GUARDED_BY(mu_);               // by file sequence number
  std::unordered_map<Id, uint64_t, IdHash> by_id_ GUARDED_BY(mu_);  // → key in slots_
  uint64_t bytes_ GUARDED_BY(mu_) = 0;                              // batch files on disk
  uint64_t stored_ GUARDED_BY(mu_) = 0;                             // slots not in kWriting
  uint64_t next_key_ GUARDED_BY(mu_) = 1;
  uint64_t next_batch_ GUARDED_BY(mu_) = 1;  // file sequence number
};

}  // namespace faultline::delivery
