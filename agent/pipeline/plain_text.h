// The pipeline's half of plain-text errors (docs/sources.md, "Plain-text errors"): the lines of a
// source that are not JSON go through that source's PlainErrorAssembler (parsers/plain_error.h),
// and every dump it finds becomes an Incident whose record is the line pino would have written
// had it logged the error: level fatal (60) for Node's crash report, error (50) for a
// console.error dump, the error under the first error key in errWithCause's shape, the time of
// the newest record (replay) or of reading (live). The event builder then treats it like any
// error record, so causes, properties, tags and rules apply unchanged.
//
// Lines that belong to no dump are counted in non_json_lines, lines of dumps in
// plain_text_lines. An ordinary line of text costs one scan and no allocation; a source gets an
// assembler (and its buffers) only when a line could start a dump.
//
// Not thread-safe; owned by the pipeline thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "agent/pipeline/source_state.h"
#include "agent/sentry/incident.h"
#include "agent/telemetry/metrics.h"
#include "parsers/line_framer.h"
#include "parsers/pino_record.h"
#include "parsers/plain_error.h"

namespace faultline {

class PlainTextErrors {
 public:
  using Emit = std::function<void(sentry::Incident&&)>;

  PlainTextErrors(const PinoFormat& format, Metrics& metrics, Emit emit);
  PlainTextErrors(const PlainTextErrors&) = delete;
  PlainTextErrors& operator=(const PlainTextErrors&) = delete;

  // Whether a line of `source` that is not JSON is for on_text(): lines are held, or this one
  // could start a dump. Otherwise it is an ordinary non-JSON line, for the caller to count.
  bool wants(uint32_t source, std::string_view text) const {
    return holding(source) || could_start_plain_error(text);
  }
  // A line of `source` that is not JSON and that wants(). `time_us`: the time an event made now
  // gets (0: none); `wall_us`: when the line was read.
  void on_text(const SourceState& source, const Line& line, int64_t time_us, int64_t wall_us);
  // Whether lines of `source` are held, their dump not decided yet.
  bool holding(uint32_t source) const {
    const PlainErrorAssembler* a = assembler(source);
    return a != nullptr && a->holding();
  }
  // A JSON line of `source` comes next: a dump it holds ends before it.
  void on_json(const SourceState& source, int64_t time_us, int64_t wall_us) {
    if (holding(source.id)) end(source, time_us, wall_us);
  }
  // The input is idle or ended: every held dump of `sources` ends.
  void end_all(const std::deque<SourceState>& sources, int64_t time_us, int64_t wall_us);
  // The offset of the oldest line of `source` still held (its dump not decided yet).
  std::optional<uint64_t> oldest_held(uint32_t source) const;
  // Live, a held dump is complete once the app wrote nothing of it for `quiet_us`: when that is
  // (wall time; `now_us` when the clock went back), or nullopt when no dump is held.
  std::optional<int64_t> next_deadline_us(int64_t now_us, int64_t quiet_us) const;

 private:
  const PlainErrorAssembler* assembler(uint32_t source) const {
    return source < assemblers_.size() ? assemblers_[source].get() : nullptr;
  }
  void end(const SourceState& source, int64_t time_us, int64_t wall_us);
  void drain(const SourceState& source, PlainErrorAssembler& a, int64_t time_us, int64_t wall_us);

  const PinoFormat& format_;
  Metrics& metrics_;
  Emit emit_;
  std::vector<std::unique_ptr<PlainErrorAssembler>> assemblers_;  // by SourceId
  int64_t last_text_wall_us_ = 0;  // when the last line for an assembler was read
};

// The record the event of `dump` is built from, in `format`'s keys (see above). `time_us` 0: the
// record has no time (the builder then uses the time the dump was read).
json::Value plain_text_record(const PlainErrorDump& dump, const PinoFormat& format,
                              int64_t time_us);

// The Incident::reason of events made from dumps: "plain_text", and "plain_text_crash" for
// Node's crash report.
bool is_plain_text_reason(std::string_view reason);

}  // namespace faultline
