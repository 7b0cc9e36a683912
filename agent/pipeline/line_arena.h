// A fixed-size circular byte store for the raw lines the correlator keeps as breadcrumb
// candidates. Appending never allocates; when the arena is full the oldest bytes are overwritten,
// and a reference to them simply stops resolving. This is what bounds the correlator's memory by
// one number (correlation.max_bytes) however many requests are open.
//
// Not thread-safe; owned by the correlator.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

struct LineRef {
  uint64_t pos = 0;  // arena position of the first byte (monotonic, never reused)
  uint32_t length = 0;
  uint64_t offset = 0;  // the line's byte offset in its source
  bool cut = false;     // the line was longer than the per-record cap and was cut
};

class LineArena {
 public:
  explicit LineArena(size_t capacity);
  LineArena(const LineArena&) = delete;
  LineArena& operator=(const LineArena&) = delete;

  // Stores at most `max_bytes` of `line` (cutting longer ones).
  LineRef append(std::string_view line, uint64_t source_offset, size_t max_bytes);
  // The line's bytes, or nullopt when they have been overwritten since.
  std::optional<std::string> read(const LineRef& ref) const;
  bool alive(const LineRef& ref) const { return head_ - ref.pos <= capacity_; }

  size_t capacity() const { return capacity_; }
  uint64_t bytes_written() const { return head_; }

 private:
  size_t capacity_;
  std::unique_ptr<char[]> buf_;
  uint64_t head_ = 0;
};

}  // namespace faultline
