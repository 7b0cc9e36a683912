// The correlator's open requests: a fixed pool of RequestState slots, found by key through an
// open-addressing hash table and ordered by last activity in two intrusive LRU lists, one for
// open requests and one for closed ones (a completion arrived), so that closed requests, kept
// only one hold window, expire on time even behind an open request that waits for its TTL.
// After the pool has warmed up, finding, creating and dropping a request allocates nothing.
//
// Not thread-safe; owned by the correlator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/pipeline/line_arena.h"
#include "rules/trace_sampling.h"

namespace faultline {

struct SourceState;

struct PendingError {
  std::string text;  // the whole error line (it must parse to build the event)
  uint64_t offset = 0;
  uint64_t line = 0;
  int64_t read_time_us = 0;
  std::string reason;
  bool is_completion = false;
};

// Tens of thousands may be open at once: members are ordered so that no padding is wasted.
struct RequestState {
  // Identity.
  std::string key;  // kind byte + id (+ a digest of host and pid): short enough to stay inline
  uint64_t hash = 0;
  SourceState* source = nullptr;

  // Story so far: earlier lines (a ring of arena references) and the completion.
  // Grows to max_records_per_request, then wraps; a reused slot keeps its vector's capacity, so
  // memory follows how many lines requests really keep (most keep two or three).
  std::vector<LineRef> ring;
  uint32_t ring_start = 0, ring_count = 0;
  // The request's first kept line, still readable after the ring has moved past it: it is where
  // some frameworks log the request object (Fastify's "incoming request").
  LineRef opening;
  LineRef completion;
  int64_t completion_time = 0;  // record time (µs)

  // Failures.
  std::vector<PendingError> pending;
  int64_t deadline = 0;  // logical time when pending errors are released without a completion
  std::vector<uint64_t> emitted;  // signatures already reported for this request

  // A worker job's first line and the start of its latest processing attempt (record time, µs;
  // 0: none seen): where its transaction starts when the end line gives no duration.
  int64_t job_first_time = 0;
  int64_t job_start_time = 0;
  // The ids of the request that enqueued the job (derived from the request id a line of the job
  // named, as that request's own transaction has them), so that the job's transaction joins its
  // trace even when its end line names no request.
  rules::DerivedIds job_request_ids{};

  // Trace context seen on any line of the request (32 + 16 + 2 hex characters).
  char trace_id[33] = {};
  char span_id[17] = {};
  char trace_flags[3] = {};

  bool has_opening = false;
  bool has_completion = false;
  bool failure_emitted = false;
  bool closed = false;     // a completion arrived; a newer line with this id is a new request
  bool job_ended = false;  // its end line was read: a later line is a new run of the same id
  bool has_job_request = false;
  bool in_use = false;

  int64_t last_activity = 0;  // logical time (µs)
  uint32_t lru_prev = 0, lru_next = 0;
};

class RequestTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit RequestTable(size_t max_requests);

  // The slot for `key`, or kNone.
  uint32_t find(std::string_view key, uint64_t hash) const;
  // A fresh slot for `key`; the caller has checked that the table is not full.
  uint32_t create(std::string_view key, uint64_t hash, SourceState* source);
  void drop(uint32_t slot);
  // Marks the slot as the most recently active (of its list).
  void touch(uint32_t slot);
  // The request's completion arrived: it moves to the closed list, as its most recent.
  void close(uint32_t slot);
  // A closed scope starts again (a job id run again): back to the open list.
  void reopen(uint32_t slot);

  RequestState& at(uint32_t slot) { return slots_[slot]; }
  const RequestState& at(uint32_t slot) const { return slots_[slot]; }
  bool full() const { return size_ >= max_; }
  // Slots ever created (in use or free): at(i) for i below it is valid; look at in_use.
  size_t pool_size() const { return slots_.size(); }
  size_t size() const { return size_; }
  // Buckets of the index: it grows with the requests open at once.
  size_t index_buckets() const { return buckets_.size(); }
  // The least recently active open slot, or kNone.
  uint32_t oldest_open() const { return open_.tail; }
  // The least recently active closed slot, or kNone.
  uint32_t oldest_closed() const { return closed_.tail; }
  // What to give up when the table is full: the oldest closed request, else the oldest open one.
  uint32_t oldest() const { return closed_.tail != kNone ? closed_.tail : open_.tail; }

  static uint64_t hash_key(const void* source, std::string_view key);

 private:
  struct Bucket {
    uint64_t hash = 0;
    uint32_t slot = kNone;  // kNone: empty
    bool tombstone = false;
  };
  size_t bucket_of(uint64_t hash) const {
    return static_cast<size_t>(hash) & (buckets_.size() - 1);
  }
  struct List {
    uint32_t head = kNone, tail = kNone;
  };
  List& list_of(uint32_t slot) { return slots_[slot].closed ? closed_ : open_; }
  void lru_unlink(List& list, uint32_t slot);
  void lru_push_front(List& list, uint32_t slot);
  void rehash(size_t buckets);

  size_t max_;
  size_t max_buckets_;
  std::vector<RequestState> slots_;
  std::vector<uint32_t> free_;
  std::vector<Bucket> buckets_;
  std::vector<Bucket> spare_;  // same size as buckets_, reused by rehash()
  size_t size_ = 0;
  size_t tombstones_ = 0;
  List open_, closed_;
};

}  // namespace faultline
