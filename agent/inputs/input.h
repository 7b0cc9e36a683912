// One kind of input (stdin, a file, a child process): reads bytes, frames lines and pushes them
// to a LineSink. The runtime owns inputs and runs each on the pipeline thread.
//
// Acknowledgements flow back the other way: acknowledge(source, offset) says that every line of
// `source` starting before `offset` needs no re-reading, because its events are durable (fsynced
// in the spool, or printed) or it made none. An input that keeps checkpoints moves them only
// there, so a crash never loses an event; one that cannot re-read (stdin) ignores them.
#pragma once

#include <atomic>
#include <cstdint>

#include "agent/inputs/line_sink.h"
#include "base/status.h"

namespace faultline {

class Input {
 public:
  virtual ~Input() = default;

  // Reads until the input ends, fails, or `stop` turns true (then as the input's own stop rules
  // say). Every line goes to `sink` on the calling thread; acknowledge() is called on it too.
  // An idle input sleeps until its bytes, the sink's idle_timeout() or its wake_fd(): `stop` is
  // looked at when it wakes, so whoever sets it rings the sink's wake-up too (the runtime's
  // signal handler does).
  virtual Status run(LineSink& sink, const std::atomic<bool>& stop) = 0;

  // Offsets only grow for a source. The default keeps nothing.
  virtual void acknowledge(SourceId source, uint64_t offset) {
    (void)source;
    (void)offset;
  }
};

}  // namespace faultline
