// The byte store for the raw lines the correlator keeps as breadcrumb candidates, bounded by one
// number (correlation.max_bytes) however many requests are open, and holding only what open
// requests still need.
//
// Lines go into chunks (capacity / 16, at most 256 KiB) written one after the other. Each stored
// line is a reference its holder gives back with release() (a request that ends, a ring slot
// overwritten). A chunk nobody refers to any more is kept as a spare (a few: a fresh page costs a
// page fault) or returned to the system, so memory follows the open requests, not the input. When
// the chunks in use reach the capacity, the oldest chunk is given up although referred to: those
// references simply stop resolving, as in a ring. Appending allocates only when a new chunk
// starts (one mmap per chunk; none per line).
//
// Requests end in any order, so chunks thin out: a chunk holding one long-open request's line
// stays as big as a full one. Compaction is done in place by the holder, which knows the
// references: it marks sparse chunks (evacuate()), moves every line they hold to the head
// (move()), and each marked chunk is given back as its last line leaves. Marking a few chunks at
// a time bounds what compaction adds to the peak to those few chunks' live lines.
//
// Not thread-safe; owned by the correlator.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// 24 bytes: every open request holds a few (tens of thousands of requests may be open).
struct LineRef {
  uint64_t pos = 0;     // arena position of the first byte (monotonic, never reused)
  uint64_t offset = 0;  // the line's byte offset in its source
  uint32_t length = 0;
  bool cut = false;  // the line was longer than the per-record cap and was cut
};

class LineArena {
 public:
  explicit LineArena(size_t capacity);
  ~LineArena();
  LineArena(const LineArena&) = delete;
  LineArena& operator=(const LineArena&) = delete;

  // Stores at most `max_bytes` of `line` (cutting longer ones, and any line to one chunk). The
  // caller holds one reference to it.
  LineRef append(std::string_view line, uint64_t source_offset, size_t max_bytes);
  // One more holder of `ref` (a request's opening line is also in its ring).
  void retain(const LineRef& ref);
  // A holder lets go. References that no longer resolve are ignored.
  void release(const LineRef& ref);
  // The line's bytes, or nullopt when they have been given up since.
  std::optional<std::string> read(const LineRef& ref) const;
  bool alive(const LineRef& ref) const { return chunk_of(ref) != nullptr; }

  // Compaction. Chunks are numbered in the order they were written; the live ones are
  // [first_chunk(), end_chunk()), the last of them being written. chunk_index(ref) is the chunk
  // holding a reference that resolves.
  uint64_t first_chunk() const { return first_; }
  uint64_t end_chunk() const { return first_ + chunks_.size(); }
  uint64_t chunk_index(const LineRef& ref) const { return ref.pos / chunk_bytes_; }
  // Marks a chunk whose lines are to move (not the one being written, nor one given up).
  void evacuate(uint64_t index);
  bool evacuating(const LineRef& ref) const;
  // The line again at the head, held once, and `ref` released: a marked chunk goes back to the
  // system when its last line has moved. A reference that no longer resolves is returned as is.
  LineRef move(const LineRef& ref);
  // Spare chunks beyond a few go back to the system (a compaction frees many at once).
  void trim_spares();

  size_t capacity() const { return max_chunks_ * chunk_bytes_; }
  size_t chunk_bytes() const { return chunk_bytes_; }
  // Bytes of the chunks holding lines now (spare chunks not counted).
  size_t resident_bytes() const { return held_ * chunk_bytes_; }
  // What the arena has mapped: the chunks holding lines and the spares.
  size_t mapped_bytes() const { return (held_ + spare_.size()) * chunk_bytes_; }

 private:
  struct Chunk {
    char* data = nullptr;  // null: given back
    uint32_t refs = 0;
    bool evacuate = false;  // its lines are moving to the head
  };
  Chunk* chunk_of(const LineRef& ref);
  const Chunk* chunk_of(const LineRef& ref) const;
  bool start_chunk();
  void free_chunk(Chunk& c);
  void pop_freed_front();

  size_t chunk_bytes_;
  size_t max_chunks_;
  std::deque<Chunk> chunks_;  // chunks_[i] has index first_ + i; the back one is written
  uint64_t first_ = 0;
  size_t held_ = 0;    // chunks with data
  uint64_t head_ = 0;  // position of the next byte
  // Chunks given back, kept for the next ones: a fresh mapping costs a page fault per page,
  // and page faults cost more than the lines they hold (in a VM, several µs each).
  std::vector<char*> spare_;
  std::string moving_;  // move()'s copy of the line in transit
};

}  // namespace faultline
