#include "agent/pipeline/line_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

#include "parsers/utf8.h"

namespace faultline {

namespace {

constexpr size_t kMinChunk = 4096;
constexpr size_t kMaxChunk = 256 * 1024;
// Spares kept for the chunks to come: enough to absorb requests ending in bursts, few enough not
// to weigh on RSS.
constexpr size_t kSpareChunks = 8;

}  // namespace

LineArena::LineArena(size_t capacity)
    : chunk_bytes_(std::clamp<size_t>(capacity / 16 / kMinChunk * kMinChunk, kMinChunk, kMaxChunk)),
      max_chunks_(std::max<size_t>(1, capacity / chunk_bytes_)) {
  spare_.reserve(kSpareChunks);
}

LineArena::~LineArena() {
  for (Chunk& c : chunks_) free_chunk(c);
  for (char* p : spare_) ::munmap(p, chunk_bytes_);
}

// Chunks are mapped, not malloc'ed: given back, their pages leave the process at once (malloc
// would keep them for the next allocation, and RSS would stay at its peak).
bool LineArena::start_chunk() {
  if (!chunks_.empty() && chunks_.back().refs == 0) free_chunk(chunks_.back());
  void* p = nullptr;
  if (!spare_.empty()) {
    p = spare_.back();
    spare_.pop_back();
  } else {
    p = ::mmap(nullptr, chunk_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  }
  if (chunks_.empty()) first_ = head_ / chunk_bytes_;
  chunks_.push_back(Chunk{p == MAP_FAILED ? nullptr : static_cast<char*>(p), 0});
  if (chunks_.back().data != nullptr) ++held_;
  // Over the budget: the oldest chunk goes, whoever still refers to it.
  while (held_ > max_chunks_) {
    for (Chunk& c : chunks_) {
      if (c.data != nullptr) {
        free_chunk(c);
        break;
      }
    }
  }
  pop_freed_front();
  return chunks_.back().data != nullptr;
}

void LineArena::free_chunk(Chunk& c) {
  if (c.data == nullptr) return;
  if (spare_.size() < kSpareChunks) {
    spare_.push_back(c.data);
  } else {
    ::munmap(c.data, chunk_bytes_);
  }
  c.data = nullptr;
  c.refs = 0;
  c.evacuate = false;
  --held_;
}

void LineArena::pop_freed_front() {
  while (chunks_.size() > 1 && chunks_.front().data == nullptr) {
    chunks_.pop_front();
    ++first_;
  }
}

LineRef LineArena::append(std::string_view line, uint64_t source_offset, size_t max_bytes) {
  LineRef ref;
  ref.offset = source_offset;
  if (line.size() > max_bytes) {
    line = utf8::truncate(line, max_bytes);
    ref.cut = true;
  }
  if (line.size() > chunk_bytes_) {
    line = utf8::truncate(line, chunk_bytes_);
    ref.cut = true;
  }
  const size_t used = static_cast<size_t>(head_ % chunk_bytes_);
  const bool fits =
      !chunks_.empty() && (used != 0 || line.empty()) && chunk_bytes_ - used >= line.size();
  if (!fits) {
    // A line never spans two chunks: the rest of this one stays unused.
    if (used != 0) head_ += chunk_bytes_ - used;
    start_chunk();
  }
  ref.pos = head_;
  ref.length = static_cast<uint32_t>(line.size());
  Chunk& c = chunks_.back();
  if (c.data != nullptr) {
    std::memcpy(c.data + head_ % chunk_bytes_, line.data(), line.size());
    ++c.refs;
  }
  head_ += line.size();
  return ref;
}

LineArena::Chunk* LineArena::chunk_of(const LineRef& ref) {
  const uint64_t index = ref.pos / chunk_bytes_;
  if (chunks_.empty() || index < first_ || index - first_ >= chunks_.size()) return nullptr;
  Chunk& c = chunks_[static_cast<size_t>(index - first_)];
  return c.data != nullptr ? &c : nullptr;
}

const LineArena::Chunk* LineArena::chunk_of(const LineRef& ref) const {
  return const_cast<LineArena*>(this)->chunk_of(ref);
}

void LineArena::retain(const LineRef& ref) {
  if (Chunk* c = chunk_of(ref)) ++c->refs;
}

void LineArena::release(const LineRef& ref) {
  Chunk* c = chunk_of(ref);
  if (c == nullptr || c->refs == 0) return;
  // The chunk being written stays for the lines to come.
  if (--c->refs == 0 && c != &chunks_.back()) {
    free_chunk(*c);
    pop_freed_front();
  }
}

void LineArena::evacuate(uint64_t index) {
  if (index < first_ || index + 1 >= end_chunk()) return;  // not the chunk being written
  Chunk& c = chunks_[static_cast<size_t>(index - first_)];
  if (c.data != nullptr) c.evacuate = true;
}

bool LineArena::evacuating(const LineRef& ref) const {
  const Chunk* c = chunk_of(ref);
  return c != nullptr && c->evacuate;
}

LineRef LineArena::move(const LineRef& ref) {
  const Chunk* c = chunk_of(ref);
  if (c == nullptr) return ref;
  // Copied out first: at the capacity, starting a chunk gives up the oldest, maybe this one.
  moving_.assign(c->data + ref.pos % chunk_bytes_, ref.length);
  LineRef moved = append(moving_, ref.offset, ref.length);
  moved.cut = ref.cut;
  release(ref);
  return moved;
}

void LineArena::trim_spares() {
  while (spare_.size() > kSpareChunks / 2) {
    ::munmap(spare_.back(), chunk_bytes_);
    spare_.pop_back();
  }
}

std::optional<std::string> LineArena::read(const LineRef& ref) const {
  const Chunk* c = chunk_of(ref);
  if (c == nullptr) return std::nullopt;
  return std::string(c->data + ref.pos % chunk_bytes_, ref.length);
}

}  // namespace faultline
