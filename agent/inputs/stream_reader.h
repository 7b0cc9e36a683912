// Reads one byte stream (a file for `replay`, stdin for `pipe`) to its end, framing lines and
// feeding them to the pipeline. In pipe mode every byte read is first written to the passthrough
// descriptor, unchanged and unbuffered, so the app's output reaches stdout as soon as we see it.
//
// Runs on the pipeline thread. Returns when the stream ends, on a read error, or once `stop` has
// been true for `stop_grace` (checked at least every poll interval).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "agent/pipeline/pipeline.h"
#include "base/status.h"

namespace faultline {

struct StreamOptions {
  int fd = -1;
  int passthrough_fd = -1;  // -1: no passthrough
  size_t max_line_bytes = 1024 * 1024;
  uint64_t size_hint = 0;  // for the progress bar; 0 = unknown
  bool progress = false;   // draw a progress bar on stderr
  // How long the stream may be quiet before the pipeline is told it is idle (tick()).
  std::chrono::milliseconds idle_tick{250};
  // After `stop` turns true, how long to go on reading (until the stream ends). 0: stop at once.
  std::chrono::milliseconds stop_grace{0};
};

Status read_stream(const StreamOptions& options, SourceState& source, Pipeline& pipeline,
                   Metrics& metrics, const std::atomic<bool>& stop);

}  // namespace faultline
