// The copy of the app's output, on a thread of its own, so that the app's output never waits for
// faultline's processing: `pipe`'s stdin to stdout, `exec`'s child's stdout and stderr to
// faultline's own. Every byte read is written to the output first, then a copy is queued for the
// pipeline thread. When the pipeline falls behind and the queue is full, the copy (not the
// passthrough) is dropped and its lines counted as skipped; the consumer is told where the gap is
// and resumes at the next whole line (QueuedLines, below).
//
// The reader thread is internal; pop() is for one consumer thread, which may wait on several
// passthroughs at once through a Doorbell. A closed output (EPIPE) stops the copy to it, never
// the reading, so the app is never blocked by a reader that went away.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/inputs/line_sink.h"
#include "agent/telemetry/metrics.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "parsers/line_framer.h"

namespace faultline {

// Wakes one consumer that waits on several passthroughs: each rings it when it queues a chunk or
// ends. A ring is kept until the next wait, so none is lost between a pop() and the wait.
class Doorbell {
 public:
  void ring();
  // True when rung since the last wait returned; false after `timeout`.
  bool wait(std::chrono::milliseconds timeout);

 private:
  std::mutex mu_;
  std::condition_variable rung_cv_;
  bool rung_ GUARDED_BY(mu_) = false;
};

struct PassthroughOptions {
  int in_fd = -1;
  int out_fd = -1;                // -1: nothing is copied, the bytes are only queued
  std::string in_name = "stdin";  // for messages
  std::string out_name = "stdout";
  size_t max_queued_bytes = 0;
  Counter* skipped_lines = nullptr;  // may be null: counts the lines in dropped bytes
  Doorbell* doorbell = nullptr;      // may be null: rung on every chunk queued and at the end
};

class Passthrough {
 public:
  struct Chunk {
    std::string bytes;
    uint64_t dropped_before = 0;  // bytes dropped just before this chunk (the queue was full)
  };
  enum class Next { kData, kIdle, kEnd };

  explicit Passthrough(PassthroughOptions options);
  ~Passthrough();  // stops the reader (within ~200 ms) and joins it
  Passthrough(const Passthrough&) = delete;
  Passthrough& operator=(const Passthrough&) = delete;

  // Waits up to `timeout` for bytes: kData with `out` filled, kIdle, or kEnd once the input ended
  // and everything queued was taken (then status() says whether it ended in an error).
  Next pop(Chunk& out, std::chrono::milliseconds timeout);
  Status status() const;

 private:
  void run();
  bool write_out(const char* data, size_t size);

  const PassthroughOptions options_;
  int out_fd_;  // -1 once the output went away
  std::atomic<bool> quit_{false};

  mutable std::mutex mu_;
  std::condition_variable ready_;
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
