#include "rules/detect/detector.h"

namespace faultline::rules {

std::string_view to_string(DetectReason reason) {
  switch (reason) {
    case DetectReason::kNone:
      return "none";
    case DetectReason::kLevel:
      return "level";
    case DetectReason::kErrObject:
      return "err";
    case DetectReason::kStatus5xx:
      return "status_5xx";
    case DetectReason::kJobFailure:
      return "job_failure";
    case DetectReason::kInclude:
      return "include_rule";
  }
  return "none";
}

namespace {

// A worker job's line: it names the job, or counts its attempts (a line that only names a queue
// is usually the request that enqueued the job).
bool is_job(const RecordView& v) {
  return !v.job_id.empty() || v.attempts_made >= 0;
}

}  // namespace

DetectReason Detector::builtin(const RecordView& view) const {
  const int level = view.level.value_or(0);
  const bool job = is_job(view);
  if (view.level && level >= options_.min_level)
    return job ? DetectReason::kJobFailure : DetectReason::kLevel;
  if (options_.status_5xx && view.completion && view.status_code >= 500 &&
      view.status_code <= 599) {
    return DetectReason::kStatus5xx;
  }
  if (view.err == RecordView::ErrShape::kObject && view.level && level >= options_.err_floor) {
    if (!job) return DetectReason::kErrObject;
    // A failed attempt that BullMQ will retry is noise; the last attempt is the failure.
    const bool retry =
        view.attempts >= 0 && view.attempts_made >= 0 && view.attempts_made < view.attempts;
    if (!retry || options_.job_retries) return DetectReason::kJobFailure;
  }
  return DetectReason::kNone;
}

bool Detector::matches(const DetectRule& rule, const RecordView& view,
                       const RecordReader& reader) const {
  const int level = view.level.value_or(0);
  if (rule.min_level && (!view.level || level < *rule.min_level)) return false;
  if (rule.max_level && (!view.level || level > *rule.max_level)) return false;
  if (rule.message && !RE2::PartialMatch(view.message, *rule.message)) return false;
  for (int slot : rule.present_slots) {
    const FieldValue& f = reader.field(slot);
    if (!f.present() || f.kind == FieldValue::Kind::kNull) return false;
  }
  if (rule.status_max > 0 &&
      (view.status_code < rule.status_min || view.status_code > rule.status_max)) {
    return false;
  }
  for (const DetectRule::FieldMatch& m : rule.matches) {
    const FieldValue& f = reader.field(m.slot);
    if (!f.has_text() || !RE2::PartialMatch(f.text, *m.pattern)) return false;
  }
  return true;
}

DetectReason Detector::classify(const RecordView& view, const RecordReader& reader) const {
  DetectReason reason = builtin(view);
  if (reason == DetectReason::kNone) {
    for (const DetectRule& rule : options_.include) {
      if (matches(rule, view, reader)) {
        reason = DetectReason::kInclude;
        break;
      }
    }
  }
  if (reason == DetectReason::kNone) return reason;
  for (const DetectRule& rule : options_.exclude) {
    if (matches(rule, view, reader)) return DetectReason::kNone;
  }
  return reason;
}

}  // namespace faultline::rules
