#include "agent/pipeline/plain_text.h"

#include <algorithm>

#include <string>
#include <utility>

#include "parsers/field_plan.h"
#include "parsers/pino_levels.h"

namespace faultline {
namespace {

constexpr std::string_view kReason = "plain_text";
constexpr std::string_view kCrashReason = "plain_text_crash";

// Sets `path` (dotted, or with bracketed keys: the format's keys may be "log.level") in `record`.
void set_path(json::Object& record, std::string_view path, json::Value value) {
  auto keys = FieldPlan::split_path(path);
  if (!keys.ok() || keys->empty()) {
    record.set(path, std::move(value));
    return;
  }
  json::Object* at = &record;
  for (size_t i = 0; i + 1 < keys->size(); ++i) {
    json::Value& next = (*at)[(*keys)[i]];
    if (!next.is_object()) next = json::Object();
    at = &next.as_object();
  }
  at->set(keys->back(), std::move(value));
}

void set_first(json::Object& record, const std::vector<std::string>& keys, json::Value value) {
  if (!keys.empty()) set_path(record, keys.front(), std::move(value));
}

}  // namespace

bool is_plain_text_reason(std::string_view reason) {
  return reason == kReason || reason == kCrashReason;
}

json::Value plain_text_record(const PlainErrorDump& dump, const PinoFormat& format,
                              int64_t time_us) {
  json::Object record;
  set_first(record, format.level_keys, dump.crash ? pino_level::kFatal : pino_level::kError);
  if (time_us > 0) set_first(record, format.time_keys, time_us / 1000);  // epoch ms, as pino
  // What console.error printed before the error ("Failed to charge:") is the message.
  if (!dump.prefix.empty()) set_first(record, format.message_keys, dump.prefix);
  set_first(record, format.logger_keys, dump.crash ? "node" : "console");
  set_first(record, format.error_keys, dump.err);
  // The closing "Node.js v20.11.0" line: the event's runtime context.
  if (!dump.node_version.empty()) record.set("node", dump.node_version);
  json::Object note;
  note.set("lines", std::to_string(dump.first_line) + "-" + std::to_string(dump.last_line));
  note.set("kind", dump.crash ? "crash report" : "console.error");
  if (!dump.crash_site.empty()) note.set("thrown_at", dump.crash_site);
  if (dump.truncated) note.set("truncated", true);
  record.set("faultline_plain_text", std::move(note));
  return json::Value(std::move(record));
}

PlainTextErrors::PlainTextErrors(const PinoFormat& format, Metrics& metrics, Emit emit)
    : format_(format), metrics_(metrics), emit_(std::move(emit)) {}

void PlainTextErrors::on_text(const SourceState& source, const Line& line, int64_t time_us,
                              int64_t wall_us) {
  if (source.id >= assemblers_.size()) assemblers_.resize(source.id + 1);
  std::unique_ptr<PlainErrorAssembler>& a = assemblers_[source.id];
  if (!a) a = std::make_unique<PlainErrorAssembler>();
  last_text_wall_us_ = wall_us;
  a->feed(line.text, line.offset, line.number);
  drain(source, *a, time_us, wall_us);
}

void PlainTextErrors::end(const SourceState& source, int64_t time_us, int64_t wall_us) {
  PlainErrorAssembler& a = *assemblers_[source.id];
  a.flush();
  drain(source, a, time_us, wall_us);
}

void PlainTextErrors::end_all(const std::deque<SourceState>& sources, int64_t time_us,
                              int64_t wall_us) {
  for (size_t id = 0; id < assemblers_.size() && id < sources.size(); ++id) {
    if (assemblers_[id] && assemblers_[id]->holding()) end(sources[id], time_us, wall_us);
  }
}

std::optional<uint64_t> PlainTextErrors::oldest_held(uint32_t source) const {
  const PlainErrorAssembler* a = assembler(source);
  return a == nullptr ? std::nullopt : a->oldest_held();
}

std::optional<int64_t> PlainTextErrors::next_deadline_us(int64_t now_us, int64_t quiet_us) const {
  const bool held = std::any_of(assemblers_.begin(), assemblers_.end(),
                                [](const auto& a) { return a && a->holding(); });
  if (!held) return std::nullopt;
  return now_us < last_text_wall_us_ ? now_us : last_text_wall_us_ + quiet_us;
}

void PlainTextErrors::drain(const SourceState& source, PlainErrorAssembler& a, int64_t time_us,
                            int64_t wall_us) {
  metrics_.non_json_lines.add(a.take_released());
  for (PlainErrorDump dump; a.take(dump);) {
    metrics_.plain_text_dumps.add();
    metrics_.plain_text_lines.add(dump.lines);
    sentry::Incident incident;
    incident.source = source.name;
    incident.source_id = source.id;
    incident.source_key = source.key;
    incident.record = plain_text_record(dump, format_, time_us);
    incident.error = sentry::KeptLine{std::move(dump.text), dump.offset, dump.first_line, false};
    incident.read_time_us = wall_us;
    incident.reason = std::string(dump.crash ? kCrashReason : kReason);
    emit_(std::move(incident));
  }
}

}  // namespace faultline
