#include "agent/pipeline/pipeline.h"

#include <algorithm>

#include "agent/pipeline/job_lines.h"
#include "agent/sentry/event_id.h"
#include "agent/sentry/event_size.h"
#include "build_info.h"

namespace faultline {

namespace {

// How far apart a plain-text dump and the JSON line of the same failure may be to make one event
// (docs/sources.md): Node prints its crash report right after the app's last words, and Express
// prints an error before pino-http logs the response it failed.
constexpr int64_t kPairingWindowUs = 5'000'000;

// Live, a plain-text dump is complete once the app has written nothing of it for this long: Node
// writes a crash report in a few writes, microseconds apart.
constexpr int64_t kPlainTextQuietUs = 250'000;

// While events are not yet durable, how often on_idle() looks again, so that their lines are
// acknowledged (and a tailer's checkpoint moves) soon after the spool has them.
constexpr int64_t kSettleRecheckUs = 250'000;

bool plain_text_wanted(const config::Config& config) {
  return config.detect.plain_text ||
         std::any_of(config.inputs.begin(), config.inputs.end(),
                     [](const config::Input& i) { return i.plain_text.value_or(false); });
}

}  // namespace

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
  if (plain_text_wanted(config)) {
    plain_text_ = std::make_unique<PlainTextErrors>(
        config.pino.format, metrics, [this](sentry::Incident&& i) { emit(std::move(i)); });
    pairing_ = std::make_unique<EventPairing>(
        kPairingWindowUs,
        [this](sentry::Incident&& i, json::Value&& event, int64_t offered_at_us) {
          deliver(std::move(i), std::move(event), offered_at_us);
        },
        metrics);
  }
  start_tracing(config);
}

void Pipeline::start_tracing(const config::Config& config) {
  tracer_ = std::make_unique<Tracer>(config.tracing, metrics_.tracing);
  if (!tracer_->enabled()) tracer_.reset();
}

int64_t Pipeline::pipeline_now_us() const {
  return time_base_ == TimeBase::kRecordTime ? record_clock_.current_us() : wall_us(clock_);
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
  source.plain_text = config_.detect.plain_text;
  if (!first_line.empty()) {
    source.key = sentry::source_key(first_line);
    source.key_known = true;
  }
  return id;
}

void Pipeline::set_traits(SourceId id, const SourceTraits& traits) {
  sources_.at(id).plain_text = traits.plain_text && plain_text_ != nullptr;
}

std::optional<uint64_t> Pipeline::oldest_unsafe(SourceId id) const {
  std::optional<uint64_t> oldest = correlator_->oldest_held(sources_.at(id));
  const auto see = [&oldest](std::optional<uint64_t> offset) {
    if (offset && (!oldest || *offset < *oldest)) oldest = offset;
  };
  if (acks_ != nullptr) see(acks_->oldest(id));
  // Lines of a plain-text dump not yet decided, and events waiting for their pair.
  if (plain_text_) see(plain_text_->oldest_held(id));
  if (pairing_) see(pairing_->oldest(id));
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
    // Console output, the common case, is counted without reading a clock.
    if (source.plain_text && plain_text_->wants(id, line.text)) {
      plain_text_->on_text(source, line, pipeline_now_us(), wall_us(clock_));
    } else {
      metrics_.non_json_lines.add();
    }
    report_bad_line(source, line);
    if (pairing_ && !pairing_->empty()) pairing_->advance(pipeline_now_us());
    return;
  }
  // A plain-text dump ends at the first JSON line; it gets the time of the record before it.
  if (source.plain_text && plain_text_->holding(id)) {
    plain_text_->on_json(source, pipeline_now_us(), wall_us(clock_));
  }
  if (outcome == ReadOutcome::kInvalidUtf8) metrics_.invalid_utf8_lines.add();
  metrics_.json_lines.add();
  if (!shape_advisor_.done() && outcome == ReadOutcome::kRecord) watch_shape(source, line);
  const rules::DetectReason reason = detector_.classify(view_, reader_);
  if (reason != rules::DetectReason::kNone) metrics_.errors_detected.add();
  if (time_base_ == TimeBase::kRecordTime) record_clock_.observe(view_.time_us);
  correlator_->observe(source, line, view_, reason, wall_us(clock_));
  if (pairing_ && !pairing_->empty()) pairing_->advance(pipeline_now_us());
  if (tracer_ && (view_.completion || job_end(view_) != JobEnd::kNone)) trace(source, line);
}

void Pipeline::watch_shape(const SourceState& source, const Line& line) {
  shape_advisor_.observe(line.text, view_.completion, source.name, line.number);
  const std::string advice = shape_advisor_.take_advice();
  if (!advice.empty()) log::warn(advice);
}

void Pipeline::on_idle() {
  // Live, a dump the app stopped writing is complete; a replay's dumps end with their lines.
  if (plain_text_ && time_base_ == TimeBase::kLive) {
    const int64_t now = wall_us(clock_);
    if (auto due = plain_text_->next_deadline_us(now, kPlainTextQuietUs); due && *due <= now) {
      plain_text_->end_all(sources_, pipeline_now_us(), now);
    }
  }
  correlator_->tick(wall_us(clock_));
  if (pairing_ && !pairing_->empty()) pairing_->advance(pipeline_now_us());
}

std::optional<int64_t> Pipeline::next_deadline_us() const {
  if (time_base_ == TimeBase::kRecordTime) return std::nullopt;
  const int64_t now = wall_us(clock_);
  std::optional<int64_t> next = correlator_->next_deadline_us(now);
  const auto see = [&next](std::optional<int64_t> due) {
    if (due && (!next || *due < *next)) next = due;
  };
  if (plain_text_) see(plain_text_->next_deadline_us(now, kPlainTextQuietUs));
  if (pairing_) see(pairing_->next_deadline_us());
  if (acks_ != nullptr && acks_->open() > 0) see(now + kSettleRecheckUs);
  return next;
}

std::optional<std::chrono::milliseconds> Pipeline::idle_timeout() const {
  const std::optional<int64_t> due = next_deadline_us();
  if (!due) return std::nullopt;
  // Rounded up: woken a little after the deadline, never just before it.
  const int64_t wait_us = std::max<int64_t>(0, *due - wall_us(clock_));
  return std::chrono::milliseconds((wait_us + 999) / 1000);
}

void Pipeline::finish() {
  if (plain_text_) plain_text_->end_all(sources_, pipeline_now_us(), wall_us(clock_));
  correlator_->flush();
  if (pairing_) pairing_->flush();
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

void Pipeline::skip_event(const sentry::Incident& incident, const std::string& why) {
  metrics_.build_failures.add();
  build_failure_log_.write(log::Level::kWarn, incident.source + " at byte " +
                                                  std::to_string(incident.error.offset) +
                                                  ": error record skipped: " + why);
}

void Pipeline::emit(sentry::Incident&& incident) {
  refresh_release();
  std::optional<json::Value> built;
  // Fail open: a bug or an exhausted allocator while building one event costs that event, never
  // the lines around it (nor, in pipe, the app's output).
  try {
    if (tracer_) tracer_->link(incident, builder_->settings().format);
    auto result = builder_->build(incident, std::move(incident.record));
    incident.completion_record.reset();  // read; not kept while the event waits for its pair
    if (!result.ok()) return skip_event(incident, result.message());
    built = std::move(result).value();
  } catch (const std::exception& e) {
    return skip_event(incident,
                      std::string("faultline failed to build the event (") + e.what() + ")");
  }
  if (pairing_) return pairing_->offer(std::move(incident), std::move(*built), pipeline_now_us());
  deliver(std::move(incident), std::move(*built), pipeline_now_us());
}

void Pipeline::deliver(sentry::Incident&& incident, json::Value&& built, int64_t rules_time_us) {
  // An event that waited for its pair meets the rules (throttle windows) as of when it was built.
  struct Unpin {
    RecordClock* clock;
    ~Unpin() {
      if (clock != nullptr) clock->pin(std::nullopt);
    }
  } unpin{nullptr};
  if (time_base_ == TimeBase::kRecordTime && rules_time_us != record_clock_.current_us()) {
    record_clock_.pin(rules_time_us);
    unpin.clock = &record_clock_;
  }
  std::optional<json::Value> event;
  try {
    rules::Explain explain;
    const rules::Verdict verdict = rule_engine_->apply(built, explain_hook_ ? &explain : nullptr);
    if (explain_hook_) explain_hook_(incident, built, verdict, explain);
    if (!verdict.keep()) {
      metrics_.events_dropped_rules.add();
      rule_drops_.count(verdict);
      return;
    }
    if (sentry::fit_event(built)) metrics_.events_truncated.add();
    event = std::move(built);
  } catch (const std::exception& e) {
    return skip_event(incident,
                      std::string("faultline failed to build the event (") + e.what() + ")");
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
    if (is_plain_text_reason(incident.reason)) metrics_.plain_text_events.add();
  } else {
    metrics_.events_dropped_queue.add();
  }
}

}  // namespace faultline
