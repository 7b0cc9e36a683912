#include "agent/pipeline/pipeline.h"

#include <algorithm>

#include "agent/pipeline/job_lines.h"
#include "agent/sentry/event_id.h"
#include "agent/sentry/event_size.h"
#include "build_info.h"

namespace faultline {

sentry::EventSettings event_settings(const config::Config& config, Metrics* metrics) {
  sentry::EventSettings s;
  s.release = config.sentry.release;
  s.environment = config.sentry.environment;
  s.dist = config.sentry.dist;
  s.server_name = config.sentry.server_name;
  s.sdk_version = build_info::kVersion;
  s.format = config.pino.format;
  s.user_id_keys = config.pino.user_id_keys;
  s.app_root = config.pino.app_root;
  s.max_breadcrumbs = config.correlation.max_breadcrumbs;
  s.sources = {config.sources.roots,           config.sources.path_map,
               config.sources.url_prefix,      config.sources.context_lines,
               config.sources.max_line_length, config.sources.cache_bytes};
  if (metrics != nullptr) {
    s.sources.counters = {&metrics->source_files_read, &metrics->source_files_unreadable};
  }
  return s;
}

Pipeline::Pipeline(const config::Config& config, EventSink& sink, Metrics& metrics, Clock& clock,
                   AckTracker* acks, TimeBase time_base)
    : config_(config),
      sink_(sink),
      acks_(acks),
      metrics_(metrics),
      clock_(clock),
      time_base_(time_base),
      reader_(*config.pino.schema),
      detector_(config.rules.detect),
      builder_(std::make_unique<sentry::EventBuilder>(event_settings(config, &metrics))),
      rule_engine_(std::make_unique<rules::RuleEngine>(*config.rules.rule_set, rules_clock())),
      correlator_(std::make_unique<Correlator>(
          config.correlation, config.pino.format,
          [this](sentry::Incident&& i) { emit(std::move(i)); }, metrics, time_base)),
      shape_advisor_(config.pino.format) {
  follow_release_file(config);
  start_tracing(config);
}

void Pipeline::start_tracing(const config::Config& config) {
  tracer_ = std::make_unique<Tracer>(config.tracing, metrics_.tracing);
  if (!tracer_->enabled()) tracer_.reset();
}

Clock& Pipeline::rules_clock() {
  return time_base_ == TimeBase::kRecordTime ? static_cast<Clock&>(record_clock_) : clock_;
}

void Pipeline::follow_release_file(const config::Config& config) {
  // An explicit sentry.release wins over the file; otherwise the file is followed.
  release_watcher_.reset();
  if (!config.sentry.release_file.empty() &&
      config.sentry.release_source == "sentry.release_file") {
    release_watcher_.emplace(config.sentry.release_file, config.sentry.release);
  }
}

void Pipeline::reload(const config::Config& fresh) {
  sentry::EventSettings settings = event_settings(fresh, &metrics_);
  settings.format = config_.pino.format;  // lines are still read the way they were at start
  builder_ = std::make_unique<sentry::EventBuilder>(std::move(settings));
  rule_engine_ = std::make_unique<rules::RuleEngine>(*fresh.rules.rule_set, rules_clock());
  follow_release_file(fresh);
  start_tracing(fresh);
}

Pipeline::~Pipeline() = default;

void Pipeline::report_bad_line(SourceState& source, const Line& line) {
  // Console output and crash dumps are normal in a log stream; only a line that looks like a
  // record but is not one is worth a warning.
  size_t i = 0;
  while (i < line.text.size() && (line.text[i] == ' ' || line.text[i] == '\t')) ++i;
  if (i >= line.text.size() || line.text[i] != '{') return;
  bad_line_log_.write_with(log::Level::kWarn, [&] {
    const bool cut = line.text.back() != '}';
    return source.name + ":" + std::to_string(line.number) + ":" +
           std::to_string(line.text.size()) +
           ": a line that starts with '{' is not a JSON object (" +
           (cut ? "expected '}' at the end of the line; was it cut?" : "invalid JSON") +
           "); skipped";
  });
}

SourceId Pipeline::open_source(std::string name, std::string_view first_line) {
  const auto id = static_cast<SourceId>(sources_.size());
  SourceState& source = sources_.emplace_back(id, std::move(name));
  if (!first_line.empty()) {
    source.key = sentry::source_key(first_line);
    source.key_known = true;
  }
  return id;
}

std::optional<uint64_t> Pipeline::oldest_unsafe(SourceId id) const {
  std::optional<uint64_t> oldest = correlator_->oldest_held(sources_.at(id));
  if (acks_ != nullptr) {
    if (auto open = acks_->oldest(id); open && (!oldest || *open < *oldest)) oldest = open;
  }
  return oldest;
}

void Pipeline::on_line(SourceId id, const Line& line) {
  SourceState& source = sources_[id];
  metrics_.lines.add();
  if (!source.key_known) {
    source.key = sentry::source_key(line.text);
    source.key_known = true;
  }
  if (line.too_long) {
    metrics_.long_lines.add();
    if (!source.long_line_reported) {
      source.long_line_reported = true;
      log::warn(source.name + ":" + std::to_string(line.number) +
                ": line longer than pino.max_line_bytes (" +
                std::to_string(config_.pino.max_line_bytes) +
                " bytes) skipped; further long lines in this input are only counted");
    }
    return;
  }
  const ReadOutcome outcome = reader_.read(line.text, view_);
  if (outcome == ReadOutcome::kNotJson) {
    metrics_.non_json_lines.add();
    report_bad_line(source, line);
    return;
  }
  if (outcome == ReadOutcome::kInvalidUtf8) metrics_.invalid_utf8_lines.add();
  metrics_.json_lines.add();
  if (!shape_advisor_.done() && outcome == ReadOutcome::kRecord) watch_shape(source, line);
  const rules::DetectReason reason = detector_.classify(view_, reader_);
  if (reason != rules::DetectReason::kNone) metrics_.errors_detected.add();
  if (time_base_ == TimeBase::kRecordTime) record_clock_.observe(view_.time_us);
  correlator_->observe(source, line, view_, reason, wall_us(clock_));
  if (tracer_ && (view_.completion || job_end(view_) != JobEnd::kNone)) trace(source, line);
}

void Pipeline::watch_shape(const SourceState& source, const Line& line) {
  shape_advisor_.observe(line.text, view_.completion, source.name, line.number);
  const std::string advice = shape_advisor_.take_advice();
  if (!advice.empty()) log::warn(advice);
}

void Pipeline::on_idle() {
  correlator_->tick(wall_us(clock_));
}

void Pipeline::finish() {
  correlator_->flush();
  sink_.flush();
}

void Pipeline::refresh_release() {
  if (release_watcher_) {
    if (auto release = release_watcher_->poll(wall_us(clock_))) builder_->set_release(*release);
  }
}

void Pipeline::trace(SourceState& source, const Line& line) {
  refresh_release();
  std::optional<json::Value> transaction;
  // Fail open, as emit() does: a transaction that cannot be built costs that transaction only.
  try {
    transaction = view_.completion
                      ? tracer_->on_completion(source, line, view_, correlator_->completed(),
                                               *correlator_, builder_->settings(), wall_us(clock_))
                      : tracer_->on_job_end(source, line, view_, correlator_->job(),
                                            builder_->settings(), wall_us(clock_));
    if (!transaction) return;
    rule_engine_->enrich(*transaction);
  } catch (const std::exception&) {
    metrics_.tracing.dropped_unusable.add();
    return;
  }
  const std::string id = transaction->find("event_id")->as_string();
  const uint64_t ticket = acks_ != nullptr ? acks_->issue(source.id, line.offset) : 0;
  sink_.emit(id, *transaction, ticket);
  metrics_.tracing.sampled.add();
}

void Pipeline::emit(sentry::Incident&& incident) {
  refresh_release();
  const auto skipped = [&](const std::string& why) {
    metrics_.build_failures.add();
    build_failure_log_.write(log::Level::kWarn, incident.source + " at byte " +
                                                    std::to_string(incident.error.offset) +
                                                    ": error record skipped: " + why);
  };
  std::optional<json::Value> event;
  // Fail open: a bug or an exhausted allocator while building one event costs that event, never
  // the lines around it (nor, in pipe, the app's output).
  try {
    if (tracer_) tracer_->link(incident, builder_->settings().format);
    auto built = builder_->build(incident, std::move(incident.record));
    if (!built.ok()) return skipped(built.message());
    rules::Explain explain;
    const rules::Verdict verdict = rule_engine_->apply(*built, explain_hook_ ? &explain : nullptr);
    if (explain_hook_) explain_hook_(incident, *built, verdict, explain);
    if (!verdict.keep()) {
      metrics_.events_dropped_rules.add();
      rule_drops_.count(verdict);
      return;
    }
    if (sentry::fit_event(*built)) metrics_.events_truncated.add();
    event = std::move(built).value();
  } catch (const std::exception& e) {
    return skipped(std::string("faultline failed to build the event (") + e.what() + ")");
  }
  const std::string id = event->find("event_id")->as_string();
  // The event's oldest line: until the event is durable, an input must be able to read it again.
  uint64_t ticket = 0;
  if (acks_ != nullptr) {
    uint64_t oldest = incident.error.offset;
    for (const sentry::KeptLine& d : incident.duplicates) oldest = std::min(oldest, d.offset);
    ticket = acks_->issue(incident.source_id, oldest);
  }
  if (sink_.emit(id, *event, ticket)) {
    metrics_.events.add();
  } else {
    metrics_.events_dropped_queue.add();
  }
}

}  // namespace faultline
