// `pipe`'s copy of stdin to stdout, on a thread of its own, so that the app's output never waits
// for faultline's processing: every byte read is written to stdout first, then a copy is queued
// for the pipeline thread. When the pipeline falls behind and the queue is full, the copy (not the
// passthrough) is dropped and its lines counted as skipped; the consumer is told where the gap is
// and resumes at the next whole line.
//
// The reader thread is internal; pop() is for one consumer thread. A closed stdout (EPIPE) stops
// the copy to it, never the reading, so the app is never blocked by a reader that went away.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "agent/telemetry/metrics.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace faultline {

class Passthrough {
 public:
  struct Chunk {
    std::string bytes;
    uint64_t dropped_before = 0;  // bytes dropped just before this chunk (the queue was full)
  };
  enum class Next { kData, kIdle, kEnd };

  // `skipped_lines` (may be null) counts the lines in dropped bytes.
  Passthrough(int in_fd, int out_fd, size_t max_queued_bytes, Counter* skipped_lines);
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

  const int in_fd_;
  int out_fd_;  // -1 once stdout went away
  const size_t max_bytes_;
  Counter* skipped_lines_;
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

}  // namespace faultline
