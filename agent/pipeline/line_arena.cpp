#include "agent/pipeline/line_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

#include "parsers/utf8.h"

namespace faultline {

namespace {

constexpr size_t kMinChunk = 4096;
constexpr size_t kMaxChunk = 256 * 1024;
constexpr size_t kSpareChunks = 4;

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

LineArena::LineArena(LineArena&& other) noexcept
    : chunk_bytes_(other.chunk_bytes_),
      max_chunks_(other.max_chunks_),
      chunks_(std::move(other.chunks_)),
      first_(other.first_),
      held_(other.held_),
      head_(other.head_),
      spare_(std::move(other.spare_)) {
  other.chunks_.clear();
  other.spare_.clear();
  other.held_ = 0;
}

LineArena& LineArena::operator=(LineArena&& other) noexcept {
  if (this == &other) return *this;
  for (char* p : spare_) ::munmap(p, chunk_bytes_);
  spare_.clear();
  // This arena's chunks become spares of the one taking its place, up to what it keeps.
  std::swap(spare_, other.spare_);
  for (Chunk& c : chunks_) free_chunk(c);
  std::swap(spare_, other.spare_);
  chunk_bytes_ = other.chunk_bytes_;
  max_chunks_ = other.max_chunks_;
  chunks_ = std::move(other.chunks_);
  first_ = other.first_;
  held_ = other.held_;
  head_ = other.head_;
  // The other arena's spares fit: both were made for the same capacity (compaction).
  spare_ = std::move(other.spare_);
  spare_.reserve(kSpareChunks);
  other.chunks_.clear();
  other.spare_.clear();
  other.held_ = 0;
  return *this;
}

void LineArena::adopt_spares(LineArena& other) {
  if (other.chunk_bytes_ != chunk_bytes_) return;
  spare_.insert(spare_.end(), other.spare_.begin(), other.spare_.end());
  other.spare_.clear();
}

LineRef LineArena::copy(const LineArena& from, const LineRef& ref) {
  const Chunk* c = from.chunk_of(ref);
  if (c == nullptr) {
    LineRef nowhere = ref;
    nowhere.pos = UINT64_MAX;
    return nowhere;
  }
  LineRef out = append(std::string_view(c->data + ref.pos % from.chunk_bytes_, ref.length),
                       ref.offset, ref.length);
  out.cut = ref.cut;
  return out;
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
  if (spare_.size() < std::max(kSpareChunks, held_)) {
    spare_.push_back(c.data);
  } else {
    ::munmap(c.data, chunk_bytes_);
  }
  c.data = nullptr;
  c.refs = 0;
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

std::optional<std::string> LineArena::read(const LineRef& ref) const {
  const Chunk* c = chunk_of(ref);
  if (c == nullptr) return std::nullopt;
  return std::string(c->data + ref.pos % chunk_bytes_, ref.length);
}

}  // namespace faultline
