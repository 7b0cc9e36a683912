// An input that reads one byte stream to its end: a file for `replay` and `check --explain`,
// stdin for `pipe` (and `replay -`). In pipe mode a thread of its own (passthrough.h) writes every
// byte read to the passthrough descriptor first, unchanged and unbuffered, so the app's output
// reaches stdout as soon as faultline sees it and never waits for the pipeline; a closed stdout
// stops the copy, never the reading.
//
// A stream cannot be re-read, so acknowledgements are ignored. Not thread-safe: run() on one
// thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "agent/inputs/input.h"
#include "agent/telemetry/metrics.h"

namespace faultline {

struct StreamOptions {
  std::string path;         // a file to open, or "-" for stdin
  int passthrough_fd = -1;  // -1: no passthrough
  size_t max_line_bytes = 1024 * 1024;
  bool progress = false;  // draw a progress bar on stderr (regular files only)
  // After `stop` turns true, how long to go on reading (until the stream ends). 0: stop at once.
  // In `pipe` the app usually gets the same signal and writes its last lines as it exits.
  std::chrono::milliseconds stop_grace{0};
  InputMetrics* counters = nullptr;  // counts every line and byte read, when set
  // With a passthrough: bytes read but not yet processed, at most; past that, lines are skipped
  // (and counted here) rather than the app's output held back.
  size_t max_queued_bytes = 16 * 1024 * 1024;
  Counter* skipped_lines = nullptr;
};

class StreamInput final : public Input {
 public:
  explicit StreamInput(StreamOptions options) : options_(std::move(options)) {}

  // Ends when the stream ends, on an open or read error (the message names the path), or once
  // `stop` has been true for stop_grace. Between bytes it sleeps until the sink's idle_timeout()
  // or wake_fd() (line_sink.h), then calls on_idle(): a silent stream costs nothing.
  Status run(LineSink& sink, const std::atomic<bool>& stop) override;

 private:
  Status read_fd(int fd, uint64_t size_hint, LineSink& sink, const std::atomic<bool>& stop);
  Status read_passthrough(int fd, LineSink& sink, const std::atomic<bool>& stop);

  StreamOptions options_;
};

}  // namespace faultline
