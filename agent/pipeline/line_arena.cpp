#include "agent/pipeline/line_arena.h"

#include <algorithm>
#include <cstring>

#include "parsers/utf8.h"

namespace faultline {

LineArena::LineArena(size_t capacity)
    : capacity_(std::max<size_t>(capacity, 4096)), buf_(new char[capacity_]) {}

LineRef LineArena::append(std::string_view line, uint64_t source_offset, size_t max_bytes) {
  LineRef ref;
  ref.offset = source_offset;
  if (line.size() > max_bytes) {
    line = utf8::truncate(line, max_bytes);
    ref.cut = true;
  }
  if (line.size() > capacity_) line = line.substr(0, capacity_);
  ref.pos = head_;
  ref.length = static_cast<uint32_t>(line.size());
  const size_t at = static_cast<size_t>(head_ % capacity_);
  const size_t first = std::min(line.size(), capacity_ - at);
  std::memcpy(buf_.get() + at, line.data(), first);
  std::memcpy(buf_.get(), line.data() + first, line.size() - first);
  head_ += line.size();
  return ref;
}

std::optional<std::string> LineArena::read(const LineRef& ref) const {
  if (!alive(ref)) return std::nullopt;
  std::string out(ref.length, '\0');
  const size_t at = static_cast<size_t>(ref.pos % capacity_);
  const size_t first = std::min<size_t>(ref.length, capacity_ - at);
  std::memcpy(out.data(), buf_.get() + at, first);
  std::memcpy(out.data() + first, buf_.get(), ref.length - first);
  return out;
}

}  // namespace faultline
