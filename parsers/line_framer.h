// Splits one source's byte stream into lines, keeping each line's byte offset in the source.
//
// Lines end at '\n' only (pino writes U+2028/U+2029 raw inside strings); a '\r' before the '\n'
// is dropped. A line longer than `max_line_bytes` is never buffered whole: once the pending bytes
// pass the cap the framer reports the line as too long, discards what it holds and skips to the
// next '\n'. What the framer does to lines never changes what a caller passes through (pipe mode
// writes the chunk it read before committing it).
//
// Usage, with no copy of the input:
//   std::span<char> space = framer.prepare();
//   size_t n = read(fd, space.data(), space.size());
//   framer.commit(n);
//   while (framer.next(line)) handle(line);
//   ... at end of input: framer.finish(); while (framer.next(line)) handle(line);
//
// Lifetimes: a Line's text points into the framer's buffer and is valid until the next call to
// prepare(), commit() or finish(). It is always followed by at least kPadding readable bytes, the
// padding simdjson needs, so it can be parsed in place.
//
// Not thread-safe; owned by the thread that reads the source. Memory is bounded by
// max_line_bytes + read_chunk + kPadding and is allocated once.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace faultline {

struct Line {
  std::string_view text;  // without '\n' and a trailing '\r'; empty when too_long
  uint64_t offset = 0;    // byte offset of the line's first byte in the source
  // Source offset just past the line (its '\n'): where reading resumes after it. For a too-long
  // line returned before its end was read, its start (so a restart skips it again).
  uint64_t end = 0;
  uint64_t number = 0;     // 1-based line number in the source
  bool too_long = false;   // the line passed the cap and was skipped
  bool terminated = true;  // false for a last line that had no '\n'
};

class LineFramer {
 public:
  static constexpr size_t kPadding = 64;  // == SIMDJSON_PADDING
  static constexpr size_t kDefaultReadChunk = 64 * 1024;

  // `start_offset`: the source offset of the first byte that will be committed (a file whose
  // reading resumes at a checkpoint), so that lines carry their offsets in the whole source.
  explicit LineFramer(size_t max_line_bytes, size_t read_chunk = kDefaultReadChunk,
                      uint64_t start_offset = 0);
  LineFramer(const LineFramer&) = delete;
  LineFramer& operator=(const LineFramer&) = delete;

  // Writable space for the next read; never empty, provided next() was called until it returned
  // false since the last commit() (only then is the pending partial line known to fit the cap).
  std::span<char> prepare();
  // `n` bytes were written at the start of prepare()'s span.
  void commit(size_t n);
  // Copies `bytes` in through prepare()/commit(); lines become available through next().
  // Convenient for tests and for callers that already hold the bytes. Calls `on_line` for each.
  template <class OnLine>
  void feed(std::string_view bytes, OnLine&& on_line) {
    Line line;
    while (!bytes.empty()) {
      std::span<char> space = prepare();
      const size_t n = bytes.size() < space.size() ? bytes.size() : space.size();
      std::copy_n(bytes.data(), n, space.data());
      commit(n);
      bytes.remove_prefix(n);
      while (next(line)) on_line(line);
    }
  }
  // End of input: a final line without '\n' becomes available through next().
  void finish();

  // The next complete line, if any.
  bool next(Line& line);

  // Bytes committed so far, i.e. the source offset just past the last byte read.
  uint64_t bytes_committed() const { return committed_; }
  // Source offset of the first byte not yet returned as (part of) a line: a safe resume point.
  uint64_t resume_offset() const;
  uint64_t lines() const { return line_number_; }
  uint64_t long_lines() const { return long_lines_; }
  size_t max_line_bytes() const { return max_line_; }

 private:
  void pad_tail();

  const size_t max_line_;
  const size_t chunk_;
  const size_t capacity_;  // usable bytes, padding excluded
  std::unique_ptr<char[]> buf_;
  size_t begin_ = 0;           // first byte of the pending line
  size_t scan_ = 0;            // where the search for '\n' resumes
  size_t end_ = 0;             // one past the last committed byte
  uint64_t begin_offset_ = 0;  // source offset of buf_[begin_]
  uint64_t committed_ = 0;
  uint64_t line_number_ = 0;
  uint64_t long_lines_ = 0;
  bool skipping_ = false;  // inside a too-long line, discarding up to its '\n'
  bool finished_ = false;
};

}  // namespace faultline
