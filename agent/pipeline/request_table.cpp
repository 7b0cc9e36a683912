#include "agent/pipeline/request_table.h"

#include <functional>

namespace faultline {

namespace {

size_t pow2_at_least(size_t n) {
  size_t p = 16;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

// The index grows with the requests open at once, up to what max_requests needs: a lookup on every
// line then touches a few cache lines, not a random one of an index sized for the worst case.
RequestTable::RequestTable(size_t max_requests)
    : max_(max_requests), max_buckets_(pow2_at_least(max_requests * 2)), buckets_(16) {
  slots_.reserve(max_requests);
}

uint64_t RequestTable::hash_key(const void* source, std::string_view key) {
  // The library's string hash (eight bytes at a time) mixed with the source's address;
  // collisions are resolved by comparing keys.
  uint64_t h = std::hash<std::string_view>{}(key);
  h ^= static_cast<uint64_t>(reinterpret_cast<uintptr_t>(source)) * 0x9E3779B97F4A7C15ull;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return h;
}

uint32_t RequestTable::find(std::string_view key, uint64_t hash) const {
  for (size_t i = bucket_of(hash), n = 0; n < buckets_.size();
       i = (i + 1) & (buckets_.size() - 1), ++n) {
    const Bucket& b = buckets_[i];
    if (b.slot == kNone && !b.tombstone) return kNone;
    if (b.slot != kNone && b.hash == hash && slots_[b.slot].key == key) return b.slot;
  }
  return kNone;
}

uint32_t RequestTable::create(std::string_view key, uint64_t hash, SourceState* source) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  RequestState& s = slots_[slot];
  s.key.assign(key);
  s.hash = hash;
  s.source = source;
  s.ring.clear();
  s.ring_start = s.ring_count = 0;
  s.has_opening = false;
  s.has_completion = false;
  s.completion_time = 0;
  s.pending.clear();
  s.deadline = 0;
  s.emitted.clear();
  s.failure_emitted = false;
  s.closed = false;
  s.job_first_time = s.job_start_time = 0;
  s.has_job_request = false;
  s.job_ended = false;
  s.trace_id[0] = s.span_id[0] = s.trace_flags[0] = '\0';
  s.in_use = true;

  if ((size_ + 1) * 2 > buckets_.size() && buckets_.size() < max_buckets_) {
    rehash(buckets_.size() * 2);
  } else if ((size_ + tombstones_ + 1) * 4 > buckets_.size() * 3) {
    rehash(buckets_.size());
  }
  for (size_t i = bucket_of(hash);; i = (i + 1) & (buckets_.size() - 1)) {
    Bucket& b = buckets_[i];
    if (b.slot == kNone) {
      if (b.tombstone) --tombstones_;
      b = Bucket{hash, slot, false};
      break;
    }
  }
  ++size_;
  lru_push_front(open_, slot);
  return slot;
}

void RequestTable::drop(uint32_t slot) {
  RequestState& s = slots_[slot];
  for (size_t i = bucket_of(s.hash);; i = (i + 1) & (buckets_.size() - 1)) {
    Bucket& b = buckets_[i];
    if (b.slot == slot) {
      b.slot = kNone;
      b.tombstone = true;
      ++tombstones_;
      break;
    }
    if (b.slot == kNone && !b.tombstone) break;  // not indexed (cannot happen)
  }
  lru_unlink(list_of(slot), slot);
  s.in_use = false;
  s.pending.clear();
  s.emitted.clear();
  free_.push_back(slot);
  --size_;
}

void RequestTable::touch(uint32_t slot) {
  List& list = list_of(slot);
  if (list.head == slot) return;
  lru_unlink(list, slot);
  lru_push_front(list, slot);
}

void RequestTable::close(uint32_t slot) {
  RequestState& s = slots_[slot];
  if (s.closed) return touch(slot);
  lru_unlink(open_, slot);
  s.closed = true;
  lru_push_front(closed_, slot);
}

void RequestTable::reopen(uint32_t slot) {
  RequestState& s = slots_[slot];
  if (!s.closed) return;
  lru_unlink(closed_, slot);
  s.closed = false;
  lru_push_front(open_, slot);
}

void RequestTable::lru_unlink(List& list, uint32_t slot) {
  RequestState& s = slots_[slot];
  if (s.lru_prev != kNone)
    slots_[s.lru_prev].lru_next = s.lru_next;
  else
    list.head = s.lru_next;
  if (s.lru_next != kNone)
    slots_[s.lru_next].lru_prev = s.lru_prev;
  else
    list.tail = s.lru_prev;
  s.lru_prev = s.lru_next = kNone;
}

void RequestTable::lru_push_front(List& list, uint32_t slot) {
  RequestState& s = slots_[slot];
  s.lru_prev = kNone;
  s.lru_next = list.head;
  if (list.head != kNone) slots_[list.head].lru_prev = slot;
  list.head = slot;
  if (list.tail == kNone) list.tail = slot;
}

void RequestTable::rehash(size_t buckets) {
  // Into the spare table, so that rehashing allocates nothing once the index has grown to the
  // requests open at once (a same-size rehash only clears tombstones).
  spare_.assign(buckets, Bucket{});
  spare_.swap(buckets_);
  tombstones_ = 0;
  for (const Bucket& b : spare_) {
    if (b.slot == kNone) continue;
    for (size_t i = bucket_of(b.hash);; i = (i + 1) & (buckets_.size() - 1)) {
      if (buckets_[i].slot == kNone) {
        buckets_[i] = b;
        break;
      }
    }
  }
}

}  // namespace faultline
