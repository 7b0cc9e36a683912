// Correlation by request id and trace id: one failure → one event that tells the whole story
// (ARCHITECTURE.md "Correlation", PINO-FORMAT.md §5, §6, §8).
//
// Every JSON record of the input passes through observe(). Lines are grouped by scope:
//   - a worker job (jobId, with its queue): its earlier lines become breadcrumbs; its errors are
//     emitted at once (a job has no completion line), linked to the enqueuing request's trace
//     when known;
//   - a request id (reqId, req.id, …): earlier lines kept as breadcrumb candidates; errors held
//     until the request's completion line or the hold window; the completion closes the request;
//   - a trace id, for lines without a request id;
//   - nothing: an error is emitted at once.
// Time: a logical clock that follows record time while input flows (the newest record time
// seen) and, live, wall time while input is idle (tick()), so replays of old files behave like
// live input and a quiet service still gets its events after the hold window. On record time
// alone (replay), wall time never counts: the events are a function of the input, however fast
// or slowly it is read.
// Memory: raw lines live in a fixed LineArena (correlation.max_bytes); requests in a fixed
// RequestTable (correlation.max_requests, LRU; a TTL frees requests that never complete). Held
// error lines are copied whole, at most 32 per request and correlation.max_bytes in all; past
// that they go out early. Nothing grows with the input, and observing a non-error line
// allocates nothing once warmed up.
//
// Not thread-safe; owned by the pipeline thread.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "agent/config/config.h"
#include "agent/pipeline/line_arena.h"
#include "agent/pipeline/request_table.h"
#include "agent/sentry/incident.h"
#include "agent/telemetry/metrics.h"
#include "parsers/line_framer.h"
#include "parsers/pino_record.h"
#include "rules/detect/detector.h"

namespace faultline {

struct SourceState;

// What moves the correlator's clock.
enum class TimeBase : uint8_t {
  // pipe, exec, run: record time while lines flow; wall time while the input is idle, for lines
  // without a time, and in place of a record time too far ahead of it.
  kLive,
  // replay, check --explain: record time only. Lines without a time do not move it, idleness does
  // not, and a record time is believed whatever the date.
  kRecordTime,
};

class Correlator {
 public:
  using Emit = std::function<void(sentry::Incident&&)>;

  Correlator(const config::Correlation& options, const PinoFormat& format, Emit emit,
             Metrics& metrics, TimeBase time_base = TimeBase::kLive);
  Correlator(const Correlator&) = delete;
  Correlator& operator=(const Correlator&) = delete;

  // `view` is the hot-path view of `line`; `reason` what the detector said; `wall_us` the time
  // the line was read.
  void observe(SourceState& source, const Line& line, const RecordView& view,
               rules::DetectReason reason, int64_t wall_us);
  // Input is idle: advance the logical clock by the wall time that passed and release what is due
  // (live only).
  void tick(int64_t wall_us);
  // End of input or shutdown: every held error is emitted now.
  void flush();
  // The wall time (as `wall_now_us`) from which tick() has work, if no line comes before: a held
  // error's hold window ends, a closed request's hold window or an open one's TTL runs out. A
  // past deadline is `wall_now_us`; nullopt: nothing is due (or on record time, where only lines
  // move the clock).
  std::optional<int64_t> next_deadline_us(int64_t wall_now_us) const;

  size_t open_requests() const { return table_.size(); }
  // Memory held now for kept lines (whole arena chunks).
  size_t kept_bytes() const { return arena_.resident_bytes(); }
  // The request whose completion line the last observe() read (with the trace context of all its
  // lines), or null: for tracing (agent/pipeline/tracer.h). Valid until the next call of
  // observe(), tick() or flush().
  const RequestState* completed() const { return completed_; }
  // The worker job the last observe() read a line of (its times and trace context), or null:
  // for tracing a job's end line. Valid until the next call of observe(), tick() or flush().
  const RequestState* job() const { return job_; }
  // The text of a request's first kept line (where Fastify logs the request object), when the
  // arena still holds it.
  std::optional<std::string> opening_of(const RequestState& s) const;
  // The lowest offset of an error line of `source` still held (waiting for its request's
  // completion), or nullopt. Linear in the requests holding errors (bounded), not in the input.
  std::optional<uint64_t> oldest_held(const SourceState& source) const;

 private:
  void advance(const RecordView& view, int64_t wall_us);
  void observe_job(SourceState& source, const Line& line, const RecordView& view,
                   rules::DetectReason reason, int64_t wall_us);
  void late_line(RequestState& s, const Line& line, rules::DetectReason reason, int64_t wall_us);
  void release_due();
  void keep(RequestState& s, const Line& line);
  // Gives the request's kept lines back to the arena: all of them (before its slot is dropped),
  // or those before its completion.
  void forget_lines(RequestState& s);
  void forget_story(RequestState& s);
  // The request completed() named, or the job whose end was read, has been read by the tracer: it
  // keeps only its completion line (a job: none).
  void settle_completed();
  // Moves the lines of sparse chunks to the head (kept_lines_compaction.h) when the arena has
  // grown enough since the last look.
  void compact_if_sparse();
  void remember_trace(RequestState& s, const RecordView& view);
  void finalize(RequestState& s, bool forced);
  // Emits `line` at once; `context` (may be null) lends breadcrumbs, completion and trace.
  // `record` is the line parsed, when it already was.
  void emit_now(SourceState& source, const Line& line, std::string_view reason, int64_t wall_us,
                const RequestState* context, const RequestState* trace_from,
                std::optional<json::Value> record = std::nullopt);
  void drop(uint32_t slot, bool evicted);
  uint32_t open(SourceState& source, std::string_view key, uint64_t hash);
  // Builds key_ for the line's request: its id within the process that wrote it.
  void request_key(const RecordView& view);
  sentry::Incident incident_for(const RequestState& s, const PendingError& error) const;
  void lend_context(sentry::Incident& incident, const RequestState& s) const;
  std::vector<sentry::KeptLine> breadcrumbs_of(const RequestState& s) const;

  config::Correlation options_;
  TimeBase time_base_;
  PinoFormat format_;
  Emit emit_;
  LineArena arena_;
  RequestTable table_;
  Metrics& metrics_;
  std::vector<uint32_t> holding_;  // slots with pending errors
  bool started_ = false;
  int64_t logical_now_ = 0;
  int64_t last_wall_ = 0;
  int64_t next_deadline_ = INT64_MAX;
  uint64_t pending_bytes_ = 0;  // bytes of held error lines, all requests together
  size_t compact_at_ = 0;       // arena bytes that make compact_if_sparse() look
  static constexpr size_t kMaxPendingPerRequest = 32;
  std::string key_;  // scratch for building keys without allocating
  RequestState* completed_ = nullptr;
  RequestState* ended_job_ = nullptr;  // a job whose end line the last observe() read
  const RequestState* job_ = nullptr;
};

}  // namespace faultline
