// The copy of the app's output, on a thread of its own, so that the app's output never waits for
// faultline's processing: `pipe`'s stdin to stdout, `exec`'s child's stdout and stderr to
// faultline's own. Every byte read is written to the output first, then a copy is queued for the
// pipeline thread. When the pipeline falls behind and the queue is full, the copy (not the
// passthrough) is dropped and its lines counted as skipped; the consumer is told where the gap is
// and resumes at the next whole line (QueuedLines, below).
//
// The reader thread is internal and sleeps in poll() until the input has bytes, the output has
// room, or the destructor wakes it: an idle passthrough costs nothing. pop() is for one consumer
// thread, which waits on ready_fd() (with whatever else it watches, wakeup.h). A closed output
// (EPIPE) stops the copy to it, never the reading, so the app is never blocked by a reader that
// went away.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/inputs/line_sink.h"
#include "agent/inputs/wakeup.h"
#include "agent/telemetry/metrics.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "parsers/line_framer.h"

namespace faultline {

struct PassthroughOptions {
  int in_fd = -1;
  int out_fd = -1;                // -1: nothing is copied, the bytes are only queued
  std::string in_name = "stdin";  // for messages
  std::string out_name = "stdout";
  size_t max_queued_bytes = 0;
  Counter* skipped_lines = nullptr;  // may be null: counts the lines in dropped bytes
};

class Passthrough {
 public:
  struct Chunk {
    std::string bytes;
    uint64_t dropped_before = 0;  // bytes dropped just before this chunk (the queue was full)
  };
  enum class Next { kData, kEmpty, kEnd };

  explicit Passthrough(PassthroughOptions options);
  ~Passthrough();  // wakes the reader, which stops at once, and joins it
  Passthrough(const Passthrough&) = delete;
  Passthrough& operator=(const Passthrough&) = delete;

  // Readable while pop() has something to return: a chunk, or the end.
  int ready_fd() const { return ready_.fd(); }
  // Does not wait: kData with `out` filled, kEmpty, or kEnd once the input ended and everything
  // queued was taken (then status() says whether it ended in an error).
  Next pop(Chunk& out);
  Status status() const;

 private:
  void run();
  bool write_out(const char* data, size_t size);

  const PassthroughOptions options_;
  int out_fd_;  // -1 once the output went away
  std::atomic<bool> quit_{false};
  Wakeup quit_wake_;  // rung with quit_: ends the reader's waits

  mutable std::mutex mu_;
  Wakeup ready_;  // rung while the queue holds a chunk or the input ended (cleared by pop())
  std::deque<Chunk> queue_ GUARDED_BY(mu_);
  size_t queued_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t dropped_ GUARDED_BY(mu_) = 0;  // dropped since the last queued chunk
  bool ended_ GUARDED_BY(mu_) = false;
  std::string error_ GUARDED_BY(mu_);
  std::thread reader_;
};

// The consumer's side of a Passthrough: frames its chunks into one source's lines and hands them
// to the sink. After a gap (bytes dropped while the pipeline was behind) the line in progress
// lost its middle: it is skipped, and framing resumes at the next whole line, at its true offset.
// Not thread-safe: on the consumer's thread; the sink must outlive it.
class QueuedLines {
 public:
  QueuedLines(LineSink& sink, SourceId source, size_t max_line_bytes, InputMetrics* counters);
  void feed(const Passthrough::Chunk& chunk);
  // The end of the stream: a last line without '\n' is handed over.
  void finish();

 private:
  LineSink& sink_;
  const SourceId source_;
  const size_t max_line_bytes_;
  InputMetrics* counters_;
  std::unique_ptr<LineFramer> framer_;
  uint64_t offset_ = 0;  // of the next byte taken from the queue
  bool resync_ = false;  // after a gap: skipping to the next whole line
};

}  // namespace faultline
