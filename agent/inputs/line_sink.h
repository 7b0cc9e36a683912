// Where an input hands its lines: the pipeline, or a test's recorder. An input names each source
// it reads (a file, stdin, a child's stderr) once, then pushes that source's framed lines in
// order, and says when it is idle so that held errors still leave in wall time.
//
// Between lines an input sleeps in the kernel: until its bytes come, the sink's idle_timeout()
// runs out, or the sink's wake_fd() becomes readable; the last two call on_idle(). So an input
// wakes only for a line or for something the sink actually has to do (docs/operations.md, "When
// faultline wakes up").
//
// Called only on the thread that runs the input (the pipeline thread); implementations need not
// be thread-safe. A Line's text lives in the input's buffer and dies when on_line() returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/telemetry/metrics.h"
#include "parsers/line_framer.h"

namespace faultline {

// A source's number for the lifetime of one run, given by the sink; small and dense from 0.
using SourceId = uint32_t;

// What the configuration of the input says about one of its sources (a file of `run`'s inputs).
struct SourceTraits {
  bool plain_text = true;  // look for Node's plain-text error dumps (detect.plain_text)
};

class LineSink {
 public:
  virtual ~LineSink() = default;
  // A new source begins; `name` is a path or "stdin" (for messages). `first_line` is the
  // source's first line when reading does not start there (a file resumed at a checkpoint): the
  // source's identity in event ids comes from it, so a line read again after a restart gets the
  // same event id. Empty: the first line handed over is the source's first line.
  virtual SourceId open_source(std::string name, std::string_view first_line = {}) = 0;
  virtual void on_line(SourceId source, const Line& line) = 0;
  // The input will hand over nothing more from `source` (a rotated file read to its end).
  virtual void close_source(SourceId source) { (void)source; }
  // Settings of `source` from its input's configuration, given right after open_source() by an
  // input whose sources may differ from the global configuration; others never call it.
  virtual void set_traits(SourceId source, const SourceTraits& traits) {
    (void)source;
    (void)traits;
  }
  // No input before the sink's deadline, or the sink's wake-up rang: lets held errors go out in
  // wall time (and, in the runtime, acknowledgements, the watchdog and reloads happen). Harmless
  // when called early or often; it clears what made wake_fd() readable.
  virtual void on_idle() = 0;
  // How long the input may wait for bytes before it calls on_idle(); nullopt: as long as it
  // takes (nothing is due). Asked again after every line handed over and every on_idle().
  virtual std::optional<std::chrono::milliseconds> idle_timeout() const { return std::nullopt; }
  // A descriptor the input's waits watch too, or -1: readable when the sink needs the thread at
  // once (a stop or reload signal, a child that exited); the input then calls on_idle().
  virtual int wake_fd() const { return -1; }
  // The lowest offset in `source` of a line whose events are not yet durable (held, or handed to
  // an output that has not confirmed it), or nullopt when every line handed over so far is safe.
  virtual std::optional<uint64_t> oldest_unsafe(SourceId source) const = 0;
};

// Hands `line` to `sink` and counts it for its input (`counters` may be null).
inline void hand_over(LineSink& sink, SourceId source, const Line& line, InputMetrics* counters) {
  if (counters != nullptr) counters->lines.add();
  sink.on_line(source, line);
}

}  // namespace faultline
