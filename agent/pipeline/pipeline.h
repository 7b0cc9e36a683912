// The pipeline thread's work for every line (ARCHITECTURE.md "Data flow"):
//   line → record view (hot fields) → detector → correlator → event builder → rules → sink.
// Only error records and the lines kept for their story ever leave the hot path.
//
// The pipeline is the LineSink that inputs push to: it owns the per-source state, and with an
// AckTracker it issues a ticket for every event it hands to the sink, so that oldest_unsafe()
// tells an input how far it may checkpoint.
//
// Not thread-safe: one Pipeline per pipeline thread; inputs call it from that thread.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/config/config.h"
#include "agent/inputs/line_sink.h"
#include "agent/outputs/event_sink.h"
#include "agent/pipeline/ack_tracker.h"
#include "agent/pipeline/correlator.h"
#include "agent/pipeline/event_pairing.h"
#include "agent/pipeline/plain_text.h"
#include "agent/pipeline/record_clock.h"
#include "agent/pipeline/release_watcher.h"
#include "agent/pipeline/rule_drop_tally.h"
#include "agent/pipeline/source_state.h"
#include "agent/pipeline/tracer.h"
#include "agent/sentry/event_builder.h"
#include "agent/sentry/incident.h"
#include "agent/telemetry/log.h"
#include "agent/telemetry/metrics.h"
#include "base/clock.h"
#include "parsers/line_framer.h"
#include "parsers/pino_record.h"
#include "parsers/shape_advisor.h"
#include "rules/detect/detector.h"
#include "rules/engine.h"

namespace faultline {

class Pipeline final : public LineSink {
 public:
  // `acks` may be null: then events carry ticket 0 and oldest_unsafe() only knows held errors.
  // `time_base` kRecordTime (replay) runs correlation and throttle windows on record time alone,
  // so that the events depend on the input only; kLive also on `clock`'s wall time.
  Pipeline(const config::Config& config, EventSink& sink, Metrics& metrics, Clock& clock,
           AckTracker* acks = nullptr, TimeBase time_base = TimeBase::kLive);
  ~Pipeline() override;
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  SourceId open_source(std::string name, std::string_view first_line = {}) override;
  void set_traits(SourceId source, const SourceTraits& traits) override;
  void on_line(SourceId source, const Line& line) override;
  // Releases what is due in wall time (live only): held errors whose hold window has passed,
  // plain-text dumps the app stopped writing, events that waited for a pair.
  void on_idle() override;
  // The wall time (µs, the pipeline's clock) from which on_idle() has work if no line comes
  // before, or nullopt: the earliest of the correlator's deadlines, the end of a held plain-text
  // dump, an event's pairing window, and a recheck while events are not yet durable (their
  // lines' acknowledgement waits for it). Never on record time (replay).
  std::optional<int64_t> next_deadline_us() const;
  std::optional<std::chrono::milliseconds> idle_timeout() const override;
  std::optional<uint64_t> oldest_unsafe(SourceId source) const override;
  // End of all input or shutdown: every held error becomes an event now.
  void finish();

  sentry::EventBuilder& builder() { return *builder_; }
  const rules::RuleEngine& rule_engine() const { return *rule_engine_; }

  // A configuration reloaded (SIGHUP) takes effect for what comes next: its rules, its release,
  // environment, dist, server name and sources, its tracing. How lines are read (pino keys,
  // detection), correlated and delivered stays as started: those need a restart. Nothing of
  // `fresh` is kept by reference.
  void reload(const config::Config& fresh);

  // `check --explain`: called for every event with what each rule did to it (kept or dropped).
  using ExplainHook = std::function<void(const sentry::Incident&, const json::Value& event,
                                         const rules::Verdict&, const rules::Explain&)>;
  void set_explain_hook(ExplainHook hook) { explain_hook_ = std::move(hook); }

 private:
  void emit(sentry::Incident&& incident);
  // A completion line: a transaction when tracing samples it (docs/tracing.md).
  void trace(SourceState& source, const Line& line);
  void refresh_release();
  void start_tracing(const config::Config& config);
  // Rules, size, ticket and sink for a built event; `rules_time_us` is the record clock when it
  // was built (replay), for an event that waited for its pair.
  void deliver(sentry::Incident&& incident, json::Value&& built, int64_t rules_time_us);
  void skip_event(const sentry::Incident& incident, const std::string& why);
  // The clock plain-text events and pairing windows run on: record time in replay, else wall.
  int64_t pipeline_now_us() const;
  void report_bad_line(SourceState& source, const Line& line);
  void watch_shape(const SourceState& source, const Line& line);
  Clock& rules_clock();
  void follow_release_file(const config::Config& config);

  const config::Config& config_;
  EventSink& sink_;
  AckTracker* acks_;
  std::deque<SourceState> sources_;  // by SourceId; stable addresses for the correlator
  Metrics& metrics_;
  Clock& clock_;
  const TimeBase time_base_;
  RecordClock record_clock_;  // the rule engine's clock on kRecordTime
  RecordReader reader_;
  rules::Detector detector_;
  std::unique_ptr<sentry::EventBuilder> builder_;  // replaced by reload()
  std::unique_ptr<rules::RuleEngine> rule_engine_;
  ExplainHook explain_hook_;
  std::unique_ptr<Correlator> correlator_;
  std::unique_ptr<Tracer> tracer_;  // null while tracing is off; replaced by reload()
  // Plain-text errors, when detect.plain_text is on for any input (docs/sources.md).
  std::unique_ptr<PlainTextErrors> plain_text_;
  std::unique_ptr<EventPairing> pairing_;
  std::optional<ReleaseWatcher> release_watcher_;
  RecordView view_;             // reused for every line
  ShapeAdvisor shape_advisor_;  // the first records of the run: are the keys right?
  log::LogLimiter bad_line_log_;
  log::LogLimiter build_failure_log_;
  RuleDropTally rule_drops_{metrics_.dropped_by_rule};
};

// The event builder's settings as the configuration gives them; `metrics` (nullable) counts the
// source files read.
sentry::EventSettings event_settings(const config::Config& config, Metrics* metrics = nullptr);

}  // namespace faultline
