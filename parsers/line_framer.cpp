#include "parsers/line_framer.h"

#include <cstring>

namespace faultline {

LineFramer::LineFramer(size_t max_line_bytes, size_t read_chunk, uint64_t start_offset)
    : max_line_(max_line_bytes),
      chunk_(read_chunk == 0 ? kDefaultReadChunk : read_chunk),
      capacity_(max_line_ + chunk_ + 1),
      buf_(new char[capacity_ + kPadding]),
      begin_offset_(start_offset),
      committed_(start_offset) {
  pad_tail();
}

std::span<char> LineFramer::prepare() {
  if (begin_ == end_) {
    begin_ = scan_ = end_ = 0;
  } else if (capacity_ - end_ < chunk_) {
    // The pending partial line is at most max_line_ bytes (longer ones are skipped), so moving it
    // to the front always leaves a whole chunk of room.
    const size_t pending = end_ - begin_;
    std::memmove(buf_.get(), buf_.get() + begin_, pending);
    scan_ -= begin_;
    begin_ = 0;
    end_ = pending;
  }
  const size_t room = capacity_ - end_;
  return {buf_.get() + end_, room < chunk_ ? room : chunk_};
}

void LineFramer::commit(size_t n) {
  end_ += n;
  committed_ += n;
  pad_tail();
}

void LineFramer::finish() {
  finished_ = true;
}

uint64_t LineFramer::resume_offset() const {
  return begin_offset_;
}

void LineFramer::pad_tail() {
  std::memset(buf_.get() + end_, ' ', kPadding);
}

bool LineFramer::next(Line& line) {
  if (skipping_) {
    const void* nl = std::memchr(buf_.get() + scan_, '\n', end_ - scan_);
    if (nl == nullptr) {
      // Still inside the long line: drop what we hold; the next prepare() reuses the space. The
      // resume offset stays at the long line's start so a restart skips it again.
      scan_ = begin_ = end_;
      return false;
    }
    const size_t after = static_cast<size_t>(static_cast<const char*>(nl) - buf_.get()) + 1;
    skipping_ = false;
    begin_offset_ = committed_ - (end_ - after);
    begin_ = scan_ = after;
  }

  const char* base = buf_.get();
  const void* nl = std::memchr(base + scan_, '\n', end_ - scan_);
  if (nl != nullptr) {
    const size_t stop = static_cast<size_t>(static_cast<const char*>(nl) - base);
    size_t len = stop - begin_;
    line = Line{};
    line.offset = begin_offset_;
    line.number = ++line_number_;
    if (len > max_line_) {
      line.too_long = true;
      ++long_lines_;
    } else {
      if (len > 0 && base[begin_ + len - 1] == '\r') --len;
      line.text = std::string_view(base + begin_, len);
    }
    begin_offset_ += stop + 1 - begin_;
    line.end = begin_offset_;
    begin_ = scan_ = stop + 1;
    return true;
  }
  scan_ = end_;

  if (end_ - begin_ > max_line_) {
    line = Line{};
    line.offset = begin_offset_;
    line.number = ++line_number_;
    line.end = begin_offset_;
    line.too_long = true;
    ++long_lines_;
    skipping_ = true;
    begin_ = scan_ = end_;
    return true;
  }

  if (finished_ && begin_ < end_) {
    line = Line{};
    line.offset = begin_offset_;
    line.number = ++line_number_;
    line.terminated = false;
    size_t len = end_ - begin_;
    if (base[begin_ + len - 1] == '\r') --len;
    line.text = std::string_view(base + begin_, len);
    begin_offset_ += end_ - begin_;
    line.end = begin_offset_;
    begin_ = scan_ = end_;
    return true;
  }
  return false;
}

}  // namespace faultline
