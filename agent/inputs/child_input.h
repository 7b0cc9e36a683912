// The input of `faultline exec`: the stdout and stderr of the app faultline runs as its child,
// two sources read side by side. Each stream has a passthrough of its own (passthrough.h): the
// child's stdout is copied to faultline's stdout and its stderr to faultline's stderr, unchanged
// and as read, on threads that never wait for the pipeline; a closed output (EPIPE) stops that
// copy only, and reading goes on, so the child is never blocked by faultline.
//
// Reading ends when both streams have closed, whatever `stop` says: after a stop signal the app
// is stopping too, and its last words are the ones most worth sending. The process itself is the
// runtime's (agent/runtime/child_process.h): this input only reads descriptors, and asks through
// `child_exited` whether the child is gone, so that a stream held open by a process the child
// left behind does not keep faultline reading forever. It asks when it starts, when a stream
// ends, and whenever the sink's wake_fd() rings (the runtime rings it on SIGCHLD), never on a
// timer: while the app runs and is silent, this input sleeps.
//
// A stream cannot be re-read, so acknowledgements are ignored. Not thread-safe: run() on one
// thread (the passthroughs' threads are internal). Does not own the descriptors.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "agent/inputs/input.h"
#include "agent/telemetry/metrics.h"

namespace faultline {

struct ChildStream {
  int fd = -1;                   // the read end of the child's stdout or stderr
  std::string name;              // the source's name, for messages: "node stdout"
  int passthrough_fd = -1;       // -1: no passthrough
  std::string passthrough_name;  // for messages: "stdout"
};

struct ChildInputOptions {
  ChildStream out;
  ChildStream err;
  size_t max_line_bytes = 1024 * 1024;
  // Per stream: bytes read but not yet processed, at most; past that, lines are skipped (and
  // counted in skipped_lines) rather than the app's output held back.
  size_t max_queued_bytes = 16 * 1024 * 1024;
  // Reaps what has exited; true once the child has. Null: reading ends only when both close.
  std::function<bool()> child_exited;
  // After the child exited, how long streams that are still open may stay quiet (a background
  // process it started holds them) before reading stops anyway.
  std::chrono::milliseconds exit_linger{1000};
  InputMetrics* counters = nullptr;  // counts every line and byte read (both streams), when set
  Counter* skipped_lines = nullptr;  // counts the lines skipped while the pipeline was behind
};

class ChildInput final : public Input {
 public:
  explicit ChildInput(ChildInputOptions options) : options_(std::move(options)) {}

  // Ends when both streams have closed, or when the child has exited and the streams still open
  // have been quiet for exit_linger. A read error ends that stream only; the first is returned.
  Status run(LineSink& sink, const std::atomic<bool>& stop) override;

 private:
  ChildInputOptions options_;
};

}  // namespace faultline
